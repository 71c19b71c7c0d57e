// DOMException: https://webidl.spec.whatwg.org/#idl-DOMException
// Hidden state in #private fields; the legacy code table and constants per
// https://webidl.spec.whatwg.org/#dfn-error-names-table. Serializable (HTML structured clone)
// through the hooks at the end, which structured-clone.ts uses.
import { defineInterface } from '../streams/webidl/interface.js';

const ErrorPrototype = Error.prototype;
const captureStackTrace = (Error as { captureStackTrace?: (o: object, c?: Function) => void }).captureStackTrace;
const ObjectDefineProperty = Object.defineProperty;
const TypeErrorCtor = TypeError;

/** The error names table: name → legacy code (0 for names without one). */
const legacyCodes: Readonly<Record<string, number>> = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

const constants: ReadonlyArray<readonly [string, number]> = [
  ['INDEX_SIZE_ERR', 1],
  ['DOMSTRING_SIZE_ERR', 2],
  ['HIERARCHY_REQUEST_ERR', 3],
  ['WRONG_DOCUMENT_ERR', 4],
  ['INVALID_CHARACTER_ERR', 5],
  ['NO_DATA_ALLOWED_ERR', 6],
  ['NO_MODIFICATION_ALLOWED_ERR', 7],
  ['NOT_FOUND_ERR', 8],
  ['NOT_SUPPORTED_ERR', 9],
  ['INUSE_ATTRIBUTE_ERR', 10],
  ['INVALID_STATE_ERR', 11],
  ['SYNTAX_ERR', 12],
  ['INVALID_MODIFICATION_ERR', 13],
  ['NAMESPACE_ERR', 14],
  ['INVALID_ACCESS_ERR', 15],
  ['VALIDATION_ERR', 16],
  ['TYPE_MISMATCH_ERR', 17],
  ['SECURITY_ERR', 18],
  ['NETWORK_ERR', 19],
  ['ABORT_ERR', 20],
  ['URL_MISMATCH_ERR', 21],
  ['QUOTA_EXCEEDED_ERR', 22],
  ['TIMEOUT_ERR', 23],
  ['INVALID_NODE_TYPE_ERR', 24],
  ['DATA_CLONE_ERR', 25],
];

/** WebIDL DOMString conversion: ToString, which throws for symbols. */
function toDOMString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return `${value as string}`;
}

let isDOMExceptionImpl: (x: unknown) => boolean;
let readDOMException: (x: DOMException) => { name: string; message: string };

/** @see https://webidl.spec.whatwg.org/#idl-DOMException */
export class DOMException {
  #name: string;
  #message: string;

  constructor(message: unknown = '', name: unknown = 'Error') {
    // Arguments are converted in order: message, then name.
    this.#message = message === undefined ? '' : toDOMString(message);
    this.#name = name === undefined ? 'Error' : toDOMString(name);
    // Like the engines' own DOMException: a `stack` for debugging (not WebIDL surface).
    if (captureStackTrace !== undefined) captureStackTrace(this, new.target);
  }

  get name(): string {
    if (!isDOMException(this)) throw new TypeErrorCtor("Failed to read the 'name' property from 'DOMException': Illegal invocation");
    return this.#name;
  }

  get message(): string {
    if (!isDOMException(this)) throw new TypeErrorCtor("Failed to read the 'message' property from 'DOMException': Illegal invocation");
    return this.#message;
  }

  get code(): number {
    if (!isDOMException(this)) throw new TypeErrorCtor("Failed to read the 'code' property from 'DOMException': Illegal invocation");
    return legacyCodes[this.#name] ?? 0;
  }

  static {
    isDOMExceptionImpl = (x) => typeof x === 'object' && x !== null && #name in x;
    readDOMException = (x) => ({ name: x.#name, message: x.#message });
  }
}

export function isDOMException(x: unknown): x is DOMException {
  return isDOMExceptionImpl(x);
}

// The interface prototype object's [[Prototype]] is %Error.prototype%
// (https://webidl.spec.whatwg.org/#es-DOMException-specialness).
Object.setPrototypeOf(DOMException.prototype, ErrorPrototype);
defineInterface(DOMException, 'DOMException');
for (const [key, value] of constants) {
  const desc = { value, writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(DOMException, key, desc);
  ObjectDefineProperty(DOMException.prototype, key, desc);
}

/** Creates a DOMException the way specs say "throw a 'name' DOMException". */
export function createDOMException(message: string, name: string): DOMException {
  return new DOMException(message, name);
}

// Serializable: https://webidl.spec.whatwg.org/#idl-DOMException (serialization steps)
export function serializeDOMException(x: DOMException): { name: string; message: string } {
  return readDOMException(x);
}

export function deserializeDOMException(record: { name: string; message: string }): DOMException {
  return new DOMException(record.message, record.name);
}
