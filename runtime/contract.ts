import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { ContractError } from './errors';
import { Reader } from './codec/reader';
import { Writer, type Encoded } from './codec/writer';
import type { Copier } from './codec/copier';
import type { ControlSerializer } from './controls/serializer';
import type { ContractModel } from './model';

/**
 * Decorators and the registry that generated code fills in. The transformer recognises the
 * decorators by the `__ipaDecorator` brand of their type, wherever they are imported from, and
 * appends to each contract module the codecs it generated, registered with `defineStruct` and
 * `defineContract` (stored with reflect-metadata on the classes themselves).
 */

const DECLARED = 'ts-ipa:declared';
const STRUCT_CODEC = 'ts-ipa:struct-codec';
const CONTRACT_CODEC = 'ts-ipa:contract-codec';
const CONTRACT_FILE = 'ts-ipa:contract-file';

type AnyClass = abstract new (...args: never[]) => unknown;

type DecoratorKind = 'struct' | 'interface' | 'events';

/** Works as a TC39 decorator and as a legacy (`experimentalDecorators`) one. */
export type IPADecorator<K extends DecoratorKind> = (<C extends AnyClass>(target: C, context?: ClassDecoratorContext<C>) => void) & {
  readonly __ipaDecorator?: K;
};

function marker<K extends DecoratorKind>(kind: K, module?: string): IPADecorator<K> {
  return (target) => {
    Reflect.defineMetadata(DECLARED, { kind, module }, target);
  };
}

/** Declares a struct: a class of data fields typed with wire types. */
export function struct(): IPADecorator<'struct'> {
  return marker('struct');
}

/**
 * Declares the main interface of an IPA module (`'vimc'`): an abstract class extending
 * `IPAInterface<Events>` whose abstract methods are the calls.
 */
export function ipaInterface(module: string): IPADecorator<'interface'> {
  return marker('interface', module);
}

/** Declares the event interface: an abstract class of `void` methods the IPA calls back on. */
export function ipaEvents(): IPADecorator<'events'> {
  return marker('events');
}

/** Base of every main interface; `Events` ties it to its event interface at the type level. */
export abstract class IPAInterface<Events extends object> {
  declare readonly __ipaEvents?: Events;
}

/** What the transformer generates for a struct. */
export interface StructCodec<T> {
  readonly name: string;
  encode(w: Writer, value: T): void;
  decode(r: Reader): T;
}

/**
 * What the transformer generates for a call or an event. The copies are direct mode's: what
 * encoding then decoding would make of the values, without the bytes.
 */
export interface MethodCodec {
  encodeParams(w: Writer, ...args: never[]): void;
  decodeParams(r: Reader): unknown[];
  copyParams(c: Copier, ...args: never[]): unknown[];
  encodeResult(w: Writer, result: never): void;
  decodeResult(r: Reader): unknown;
  copyResult(c: Copier, result: never): unknown;
}

export interface ContractCodec {
  readonly model: ContractModel;
  readonly methods: Readonly<Record<string, MethodCodec>>;
  readonly events: Readonly<Record<string, MethodCodec>>;
  /** The generated proxy class (a RemoteProxy). */
  readonly Proxy: new (...args: never[]) => unknown;
  /** Decodes call `cmd` and invokes the IPA; returns what it returns. */
  dispatch(ipa: unknown, cmd: number, r: Reader): unknown;
  /** The object the IPA calls to send events, sending through `send`. */
  eventSenders(send: (cmd: number, name: string, encode: (w: Writer) => void) => void): Record<string, (...args: never[]) => void>;
  /** Decodes event `cmd` and hands it to `emit`. */
  dispatchEvent(emit: (name: string, ...args: unknown[]) => void, cmd: number, r: Reader): void;
}

/** Called by generated code. */
export function defineStruct<T>(target: AnyClass, codec: StructCodec<T>): void {
  Reflect.defineMetadata(STRUCT_CODEC, codec, target);
}

/** Called by generated code. */
export function defineContract(target: AnyClass, codec: ContractCodec): void {
  Reflect.defineMetadata(CONTRACT_CODEC, codec, target);
  Reflect.defineMetadata(CONTRACT_FILE, callerFile(), target);
}

/**
 * The compiled module that declared a contract (where generated code called defineContract):
 * an IPA loads it too, so a sandboxed worker must be able to read it. Undefined if unknown.
 */
export function contractFile(target: AnyClass): string | undefined {
  return Reflect.getOwnMetadata(CONTRACT_FILE, target) as string | undefined;
}

function callerFile(): string | undefined {
  const original = Error.prepareStackTrace;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_error, stack) => stack;
    Error.captureStackTrace(holder, defineContract);
    const name = holder.stack?.[0]?.getFileName() ?? undefined;
    return name?.startsWith('file://') ? fileURLToPath(name) : name;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
}

const HOW_TO_ADD_THE_TRANSFORMER =
  'Its module was compiled without the ts-ipa transformer, so no codec was generated. Add ' +
  '{ "transform": "ts-ipa/transformer" } to "compilerOptions.plugins" in tsconfig.json and build with ' +
  '`tspc` (or run `ts-patch install` once and keep using `tsc`). Tools that compile TypeScript ' +
  'themselves (vitest, tsx, esbuild) do not run it: import the compiled JavaScript instead.';

function missing(target: AnyClass, what: string): ContractError {
  const declared = Reflect.getMetadata(DECLARED, target) as { kind: string } | undefined;
  const name = target.name || 'anonymous class';
  if (!declared) return new ContractError(`${name} is not ${what}: declare it with @${what === 'a struct' ? 'struct()' : "ipaInterface('name')"}.`);
  return new ContractError(`${name} has no generated codec. ${HOW_TO_ADD_THE_TRANSFORMER}`);
}

export function structCodec<T>(target: abstract new (...args: never[]) => T): StructCodec<T> {
  const codec = Reflect.getOwnMetadata(STRUCT_CODEC, target) as StructCodec<T> | undefined;
  if (!codec) throw missing(target, 'a struct');
  return codec;
}

export function contractCodec(target: AnyClass): ContractCodec {
  const codec = Reflect.getOwnMetadata(CONTRACT_CODEC, target) as ContractCodec | undefined;
  if (!codec) throw missing(target, 'an IPA interface');
  return codec;
}

/** The contract model of a main interface, as the transformer read it. */
export function contractModel(target: AnyClass): ContractModel {
  return contractCodec(target).model;
}

/** Encodes one struct value on its own, as libcamera's IPADataSerializer<T>::serialize does. */
export function encode<T>(target: abstract new (...args: never[]) => T, value: T, controls?: ControlSerializer): Encoded {
  const w = new Writer(controls);
  structCodec(target).encode(w, value);
  return w.take();
}

/** Decodes one struct value that must span all of `data` and `fds`. */
export function decode<T>(target: abstract new (...args: never[]) => T, data: Uint8Array, fds: readonly number[] = [], controls?: ControlSerializer): T {
  const codec = structCodec(target);
  const r = new Reader(data, fds, controls);
  const value = codec.decode(r);
  r.expectEnd(codec.name);
  return value;
}
