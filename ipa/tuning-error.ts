/**
 * Bad tuning data, and the few readers of tuning values that the libipa ports share.
 *
 * Tuning data arrives as the plain value a YAML parser returns (objects, arrays, numbers,
 * strings, null). libcamera's ValueNode keeps every scalar as its YAML text and converts on
 * `get<T>()`; these readers accept what that conversion accepts, as far as a parsed value can
 * tell (a JavaScript number has lost its text: `1e4` and `10000` are the same number here).
 */

/** Tuning data that does not have the shape an algorithm needs; `path` names the key. */
export class TuningError extends Error {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'TuningError';
    this.path = path;
  }
}

/** `path.key`, or `key` at the top. */
export function tuningPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A YAML mapping (not a list, not a scalar). */
export function isTuningDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when value is a mapping (libcamera's `operator[]` gives an empty node otherwise). */
export function tuningMember(value: unknown, key: string): unknown {
  if (!isTuningDict(value)) return undefined;
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
