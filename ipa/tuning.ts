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
