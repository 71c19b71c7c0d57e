// Error messages that say where, in the shape browsers use:
// "Failed to execute 'pipeTo' on 'ReadableStream': ...".
import { TypeErrorCtor, RangeErrorCtor } from './intrinsics.js';

export function executeError(iface: string, op: string, message: string): TypeError {
  return new TypeErrorCtor(`Failed to execute '${op}' on '${iface}': ${message}`);
}

export function constructError(iface: string, message: string): TypeError {
  return new TypeErrorCtor(`Failed to construct '${iface}': ${message}`);
}

export function executeRangeError(iface: string, op: string, message: string): RangeError {
  return new RangeErrorCtor(`Failed to execute '${op}' on '${iface}': ${message}`);
}

export function illegalInvocation(iface: string, member: string): TypeError {
  return new TypeErrorCtor(`Failed to execute '${member}' on '${iface}': Illegal invocation`);
}

export function getterError(iface: string, attr: string): TypeError {
  return new TypeErrorCtor(`Failed to read the '${attr}' property from '${iface}': Illegal invocation`);
}
