// reportError() and "report an exception":
// https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception
// An ErrorEvent named 'error' (cancelable, trusted) is fired at the global object; if no
// listener cancels it, the exception goes to the host's log.
import { ErrorEvent, fireEvent, getGlobalObject, requireArguments, setExceptionReporter } from './events.js';

const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectPrototypeToString = Object.prototype.toString;
const ReflectApply = Reflect.apply;

let hostReport: ((error: unknown) => void) | undefined;
/** A global is "in error reporting mode" while its error event is being dispatched. */
let errorReportingMode = false;

/** The host's log for exceptions nobody handled (installDomBasics' hooks.reportException). */
export function setHostExceptionReporter(report: ((error: unknown) => void) | undefined): void {
  hostReport = report;
}

/** A message as browsers write it: "Uncaught TypeError: boom". Reads no user getters. */
function describeException(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const tag = ReflectApply(ObjectPrototypeToString, error, []) as string;
    const message = ObjectGetOwnPropertyDescriptor(error, 'message');
    if (tag === '[object Error]' || message !== undefined) {
      let name = 'Error';
      for (let o: object | null = error; o !== null; o = Object.getPrototypeOf(o) as object | null) {
        const d = ObjectGetOwnPropertyDescriptor(o, 'name');
        if (d !== undefined) {
          if ('value' in d && typeof d.value === 'string') name = d.value;
          break;
        }
      }
      const text = message !== undefined && 'value' in message ? String(message.value) : '';
      return text === '' ? `Uncaught ${name}` : `Uncaught ${name}: ${text}`;
    }
    return 'Uncaught [object]';
  }
  try {
    return `Uncaught ${String(error)}`;
  } catch {
    return 'Uncaught exception';
  }
}

/** https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception */
export function reportException(error: unknown): void {
  const global = getGlobalObject();
  // Step: an exception thrown while the error event is dispatched only goes to the log.
  if (global === undefined || errorReportingMode) {
    hostReport?.(error);
    return;
  }
  errorReportingMode = true;
  let notHandled = true;
  try {
    const event = new ErrorEvent('error', {
      bubbles: false,
      cancelable: true,
      message: describeException(error),
      filename: '',
      lineno: 0,
      colno: 0,
      error,
    });
    notHandled = fireEvent(global, event);
  } finally {
    errorReportingMode = false;
  }
  if (notHandled) hostReport?.(error);
}

/** The global's reportError(e): https://html.spec.whatwg.org/multipage/webappapis.html#dom-reporterror */
export function reportError(e: unknown): void {
  requireArguments(arguments.length, 1, 'Window', 'reportError');
  reportException(e);
}

setExceptionReporter(reportException);
