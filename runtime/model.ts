/**
 * The contract model: what the transformer reads out of a contract module, as plain
 * JSON-serialisable data. Every emitter works from it, and it is embedded in the generated code
 * (`ts-ipa inspect` prints it; both ends of a pipe compare its hash).
 */
import type { Width } from './types';

export type TypeRef =
  | { kind: 'number'; width: Width }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'enum'; name: string }
  | { kind: 'flags'; enum: string }
  | { kind: 'array'; element: TypeRef }
  | { kind: 'map'; key: TypeRef; value: TypeRef }
  | { kind: 'struct'; name: string }
  | { kind: 'SharedFD' }
  | { kind: 'FrameBufferPlane' }
  | { kind: 'ControlList' }
  | { kind: 'ControlInfoMap' };

export interface FieldModel {
  name: string;
  type: TypeRef;
}

export interface StructModel {
  name: string;
  fields: FieldModel[];
  /** Declared in the module this model describes (not imported). */
  local: boolean;
}

export interface EnumModel {
  name: string;
  members: { name: string; value: number }[];
  local: boolean;
}

export interface ConstModel {
  name: string;
  type: TypeRef;
  /** The value; 64-bit constants as decimal strings. */
  value: number | string | boolean;
}

export interface MethodModel {
  name: string;
  /** Command number on the wire: methods from 1 in declaration order (0 is Exit); events from 1. */
  cmd: number;
  /** A call with a reply (`Promise<T>`), or one-way (`void`: libcamera's `[async]`, and events). */
  kind: 'call' | 'oneway';
  params: FieldModel[];
  /**
   * Results in declaration order: none for `Promise<void>`, one named `result` for `Promise<T>`,
   * or the properties of an object type `Promise<{ ret: i32; x: T }>`.
   */
  results: FieldModel[];
  resultsAsObject: boolean;
  /**
   * libcamera's C++ return value rule: the first result travels raw before the others when it is
   * the only result and a plain number or bool, or when it is an `i32` followed by others.
   */
  firstResultIsReturnValue: boolean;
  /** Both ends reset their ControlSerializer before this call (libcamera does so for `configure`). */
  resetsControls: boolean;
}

export interface InterfaceModel {
  name: string;
  methods: MethodModel[];
}

export interface ContractModel {
  formatVersion: 1;
  /** The IPA module name (`vimc`), or null for a module that declares only types. */
  module: string | null;
  interface: InterfaceModel | null;
  events: InterfaceModel | null;
  /** Every struct the module uses, its own and imported ones, dependencies first. */
  structs: StructModel[];
  enums: EnumModel[];
  consts: ConstModel[];
  /** sha256 of the canonical JSON of everything above, 16 hex digits. */
  hash: string;
}

/** Whether values of a type can carry fds: its struct fields and elements then get an fd count. */
export function typeCarriesFds(type: TypeRef, structs: ReadonlyMap<string, StructModel>): boolean {
  switch (type.kind) {
    case 'SharedFD':
    case 'FrameBufferPlane':
      return true;
    case 'array':
      return typeCarriesFds(type.element, structs);
    case 'map':
      return typeCarriesFds(type.key, structs) || typeCarriesFds(type.value, structs);
    case 'struct': {
      const struct = structs.get(type.name);
      return struct !== undefined && struct.fields.some((f) => typeCarriesFds(f.type, structs));
    }
    default:
      return false;
  }
}

/** Plain numbers and bool: written inline in structs, and eligible as a C++ return value. */
export function isPod(type: TypeRef): boolean {
  return type.kind === 'number' || type.kind === 'bool';
}
