import type { InterfaceModel, MethodModel, TypeRef } from '../../runtime/model';

/**
 * The names of the functions and classes generated code declares, made here only: the emitters
 * that declare and call them and the check that no local declaration shadows one all read them
 * from these functions, so a name cannot be spelt two ways.
 */

export function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A codec: encode to a Writer, decode from a Reader, and copy as the wire would (direct mode). */
export interface CodecNames {
  encode: string;
  decode: string;
  copy: string;
}

const codecNames = (stem: string): CodecNames => ({ encode: `encode${stem}`, decode: `decode${stem}`, copy: `copy${stem}` });

export function structNames(struct: string): CodecNames {
  return codecNames(struct);
}

/** A container helper, named after its type: `encodeU32Array`, `copyMapOfU32ToIPAStream`. */
export function containerNames(type: TypeRef & { kind: 'array' | 'map' }): CodecNames {
  return codecNames(typeName(type));
}

/** The parameters of a call (`encodeInitCall`) or an event (`encodeParamsComputedEvent`). */
export function paramsNames(method: MethodModel, role: 'Call' | 'Event'): CodecNames {
  return codecNames(`${capitalize(method.name)}${role}`);
}

/** The reply of a call: `encodeInitReply`. */
export function replyNames(method: MethodModel): CodecNames {
  return codecNames(`${capitalize(method.name)}Reply`);
}

export function proxyClassName(iface: InterfaceModel): string {
  return `${iface.name}Proxy`;
}

export function dispatchName(iface: InterfaceModel): string {
  return `dispatch${iface.name}`;
}

export function sendersName(events: InterfaceModel): string {
  return `${events.name}Senders`;
}

/** A readable identifier for a type: `U32`, `IPABuffer`, `U32Array`, `MapOfU32ToIPAStream`. */
export function typeName(type: TypeRef): string {
  switch (type.kind) {
    case 'number': return type.width.toUpperCase();
    case 'bool': return 'Bool';
    case 'string': return 'String';
    case 'enum': return type.name;
    case 'flags': return `${type.enum}Flags`;
    case 'struct': return type.name;
    case 'array': return `${typeName(type.element)}Array`;
    case 'map': return `MapOf${typeName(type.key)}To${typeName(type.value)}`;
    default: return type.kind;
  }
}
