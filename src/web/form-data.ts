// FormData: https://xhr.spec.whatwg.org/#interface-formdata
import { defineInterface } from '../streams/webidl/interface.js';
import { domString } from '../streams/webidl/converters.js';
import { SymbolIterator, TypeErrorCtor, uncurryThis } from '../streams/webidl/intrinsics.js';
import { definePairIterator } from './pair-iterator.js';
import { File, blobChunks, createFile, isBlob, isFile } from './blob.js';

const ArrayPush = uncurryThis(Array.prototype.push as (this: never, item: unknown) => number);

export type FormDataValue = string | File;
export type FormDataEntry = [string, FormDataValue];

let entriesOf: (x: unknown) => FormDataEntry[] | undefined;

function usv(value: unknown): string {
  const s = domString(value) as string & { toWellFormed?: () => string };
  return typeof s.toWellFormed === 'function' ? s.toWellFormed() : s;
}

/** https://xhr.spec.whatwg.org/#create-an-entry */
function createEntry(name: unknown, value: unknown, filename: unknown, argc: number, op: string): FormDataEntry {
  const n = usv(name);
  if (!isBlob(value)) {
    if (argc > 2) throw new TypeErrorCtor(`Failed to execute '${op}' on 'FormData': parameter 2 is not of type 'Blob'.`);
    return [n, usv(value)];
  }
  // A Blob that is not a File becomes a File named "blob"; a given filename renames a File.
  if (!isFile(value) || filename !== undefined) {
    const fileName = filename !== undefined ? usv(filename) : isFile(value) ? value.name : 'blob';
    const lastModified = isFile(value) ? value.lastModified : Date.now();
    return [n, createFile([...blobChunks(value)], fileName, value.type, lastModified)];
  }
  return [n, value];
}

export class FormData {
  #entries: FormDataEntry[] = [];

  // WebIDL: constructor(optional HTMLFormElement form, optional HTMLElement? submitter = null)
  constructor(form: unknown = undefined) {
    if (form !== undefined) throw new TypeErrorCtor("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
  }

  append(name: unknown, value: unknown, filename: unknown = undefined): void {
    const entries = brand(this, 'append', arguments.length, 2);
    entries.push(createEntry(name, value, filename, arguments.length, 'append'));
  }

  delete(name: unknown): void {
    const entries = brand(this, 'delete', arguments.length, 1);
    const n = usv(name);
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]![0] === n) entries.splice(i, 1);
  }

  get(name: unknown): FormDataValue | null {
    const entries = brand(this, 'get', arguments.length, 1);
    const n = usv(name);
    const found = entries.find(([k]) => k === n);
    return found === undefined ? null : found[1];
  }

  getAll(name: unknown): FormDataValue[] {
    const entries = brand(this, 'getAll', arguments.length, 1);
    const n = usv(name);
    return entries.filter(([k]) => k === n).map(([, v]) => v);
  }

  has(name: unknown): boolean {
    const entries = brand(this, 'has', arguments.length, 1);
    const n = usv(name);
    return entries.some(([k]) => k === n);
  }

  set(name: unknown, value: unknown, filename: unknown = undefined): void {
    const entries = brand(this, 'set', arguments.length, 2);
    const entry = createEntry(name, value, filename, arguments.length, 'set');
    const index = entries.findIndex(([k]) => k === entry[0]);
    if (index === -1) {
      entries.push(entry);
      return;
    }
    entries[index] = entry;
    for (let i = entries.length - 1; i > index; i--) if (entries[i]![0] === entry[0]) entries.splice(i, 1);
  }

  forEach(callback: unknown, thisArg: unknown = undefined): void {
    const entries = brand(this, 'forEach', arguments.length, 1);
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
    for (let i = 0; i < entries.length; i++) Reflect.apply(callback, thisArg, [entries[i]![1], entries[i]![0], this]);
  }

  entries(): IterableIterator<[string, FormDataValue]> {
    return iterator(brand(this, 'entries'), 'key+value');
  }

  keys(): IterableIterator<string> {
    return iterator(brand(this, 'keys'), 'key');
  }

  values(): IterableIterator<FormDataValue> {
    return iterator(brand(this, 'values'), 'value');
  }

  static {
    entriesOf = (x) => (typeof x === 'object' && x !== null && #entries in x ? (x as FormData).#entries : undefined);
  }
}

function brand(self: unknown, op: string, given = 0, required = 0): FormDataEntry[] {
  const entries = entriesOf(self);
  if (entries === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'FormData': Illegal invocation`);
  if (given < required) {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'FormData': ${required} argument${required > 1 ? 's' : ''} required, but only ${given} present.`);
  }
  return entries;
}

const iterator = definePairIterator<FormDataEntry[]>('FormData', (entries) => entries);

defineInterface(FormData, 'FormData');
Object.defineProperty(FormData.prototype, SymbolIterator, {
  value: FormData.prototype.entries,
  writable: true,
  enumerable: false,
  configurable: true,
});

export function isFormData(x: unknown): x is FormData {
  return entriesOf(x) !== undefined;
}

export function formDataEntries(x: FormData): FormDataEntry[] {
  return entriesOf(x)!;
}

export function createFormData(entries: ArrayLike<FormDataEntry>): FormData {
  const fd = new FormData();
  const list = entriesOf(fd)!;
  // The captured push, one entry at a time: no spread through the app's Array iterator.
  for (let i = 0; i < entries.length; i++) ArrayPush(list, entries[i]!);
  return fd;
}
