// reportError() and "report an exception":
// https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception
// An ErrorEvent named 'error' (cancelable, trusted) is fired at the global object; if no
// listener cancels it, the exception goes to the host's log.
import { ErrorEvent, fireEvent, getGlobalObject, requireArguments, setExceptionReporter } from './events.js';

const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectPrototypeToString = Object.prototype.toString;
const ReflectApply = Reflect.apply;
/** The realm's %Error%: V8 consults its prepareStackTrace and stackTraceLimit, whatever the global Error is now. */
const ErrorCtor = Error as ErrorConstructor & { prepareStackTrace?: unknown; stackTraceLimit: number };
const captureStackTrace = (Error as { captureStackTrace?: (target: object, constructorOpt?: Function) => void }).captureStackTrace;

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

interface ScriptLocation {
  filename: string;
  lineno: number;
  colno: number;
}

const NO_LOCATION: ScriptLocation = { filename: '', lineno: 0, colno: 0 };

interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/**
 * Where the script that called `callee` is (its URL, line and column, 1-based), from V8's
 * structured stack trace: the "implementation-defined" location report an exception gives an
 * exception that carries none. The hooks it sets on %Error% are restored before any script can
 * see them; frozen hooks or no script frame give no location.
 */
function callerLocation(callee: Function): ScriptLocation {
  if (captureStackTrace === undefined) return NO_LOCATION;
  const prepare = ErrorCtor.prepareStackTrace;
  const limit = ErrorCtor.stackTraceLimit;
  try {
    ErrorCtor.prepareStackTrace = (_: unknown, sites: CallSite[]): CallSite[] => sites;
    ErrorCtor.stackTraceLimit = 1;
    const holder: { stack?: CallSite[] } = {};
    captureStackTrace(holder, callee);
    const site = holder.stack?.[0];
    const filename = site?.getFileName();
    if (site === undefined || typeof filename !== 'string' || filename === '') return NO_LOCATION;
    return { filename, lineno: site.getLineNumber() ?? 0, colno: site.getColumnNumber() ?? 0 };
  } catch {
    return NO_LOCATION;
  } finally {
    try {
      ErrorCtor.prepareStackTrace = prepare;
      ErrorCtor.stackTraceLimit = limit;
    } catch {
      // Frozen: nothing was changed.
    }
  }
}

/** https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception */
export function reportException(error: unknown, location: ScriptLocation = NO_LOCATION): void {
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
      filename: location.filename,
      lineno: location.lineno,
      colno: location.colno,
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
  // The exception carries no location of its own the standard could use: reportError's caller's.
  reportException(e, callerLocation(reportError));
}

setExceptionReporter(reportException);
