/**
 * Tuning data as the IPA receives it: the plain value a YAML parser returns (objects, arrays,
 * numbers, strings, booleans, null). libcamera reads the same file through its ValueNode; the
 * readers here are the few ValueNode accessors libipa relies on, with one difference: where a
 * ValueNode accessor returns "no value" and the caller carries on, these throw a TuningError
 * that names the key path, unless the caller asks for a default.
 */
import { IPAError } from '../runtime/errors';

/** Any value a YAML parser can return. */
export type TuningValue = null | boolean | number | string | readonly TuningValue[] | TuningDict;

/** A YAML mapping. */
export interface TuningDict {
  readonly [key: string]: TuningValue;
}

/** Tuning data that does not have the shape an algorithm needs. `path` is e.g. `Awb.colourGains[2].gains`. */
export class TuningError extends IPAError {
  override name = 'TuningError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** The path of `key` inside the node at `path`. */
export function keyPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function isDict(value: unknown): value is TuningDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isList(value: unknown): value is readonly TuningValue[] {
  return Array.isArray(value);
}

/** What a value is, for error messages. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a dictionary';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A finite number, or `fallback` when the value is absent (undefined or null). */
export function readNumber(value: unknown, path: string, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TuningError(path, `expected a number, got ${kindOf(value)}`);
  return value;
}

/** A boolean, or `fallback` when the value is absent. */
export function readBoolean(value: unknown, path: string, fallback?: boolean): boolean {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new TuningError(path, `expected true or false, got ${kindOf(value)}`);
  return value;
}

/** A list of exactly `size` finite numbers (libcamera's vector/matrix accessors check the same length). */
export function readNumbers(value: unknown, size: number, path: string): number[] {
  if (!Array.isArray(value) || value.length !== size) throw new TuningError(path, `expected ${size} numbers, got ${kindOf(value)}`);
  return value.map((v, i) => readNumber(v, keyPath(path, i)));
}

// libcamera's ValueNode keeps every scalar as its YAML text and converts it on `get<T>()`; the
// readers below accept what that conversion accepts, as far as a parsed value can tell (a
// JavaScript number has lost its text: `1e4` and `10000` are the same number here), and give
// undefined where it gives std::nullopt.

/** `value[key]` when value is a mapping (libcamera's `operator[]` gives an empty node otherwise). */
export function tuningMember(value: unknown, key: string): unknown {
  if (!isDict(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A scalar as ValueNode's `get<double>()` reads it: a number, or a string holding a decimal
 * number (libcamera runs strtod over the scalar's text). undefined when it is not one.
 */
export function tuningNumber(value: unknown): number | undefined {
  // Not NaN or infinities: YAML's .nan and .inf are no text strtod reads, and a decimal too
  // large for a double is ERANGE, which libcamera rejects.
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A scalar as `get<uint32_t>()` reads it (std::from_chars: digits only, in range). */
export function tuningUint32(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 0xffffffff) return undefined;
  return n;
}
