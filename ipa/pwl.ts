/**
 * A piecewise linear function: the port of libcamera's ipa::Pwl (src/ipa/libipa/pwl.{h,cpp}),
 * and of its ValueNode reader (a flat YAML list x0, y0, x1, y1, ..., or one number).
 *
 * All arithmetic is double, as in libcamera. Where the C++ would index an empty Pwl
 * (undefined behaviour), this port throws.
 */

import { TuningError, tuningNumber } from './tuning';

export interface PwlPoint {
  readonly x: number;
  readonly y: number;
}

/** A closed interval [start, end], as Pwl::Interval. */
export class PwlInterval {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  contains(value: number): boolean {
    return value >= this.start && value <= this.end;
  }

  /** std::clamp(value, start, end): below start gives start, else above end gives end. */
  clamp(value: number): number {
    return value < this.start ? this.start : this.end < value ? this.end : value;
  }

  get length(): number {
    return this.end - this.start;
  }
}

/**
 * The span hint of `eval`: the index of the segment last used (-1: none yet). The C++ takes an
 * `int *`; this is that int, boxed.
 */
export interface PwlSpan {
  span: number;
}

const DEFAULT_EPS = 1e-6;

export class Pwl {
  private points_: { x: number; y: number }[];

  constructor(points: readonly PwlPoint[] = []) {
    this.points_ = points.map((p) => ({ x: p.x, y: p.y }));
  }

  /** From [x, y] pairs. */
  static fromPairs(pairs: readonly (readonly [number, number])[]): Pwl {
    return new Pwl(pairs.map(([x, y]) => ({ x, y })));
  }

  /**
   * From tuning data as libcamera's `ValueNode::get<Pwl>()` reads it: one number is the
   * one-point Pwl (0, value); a list is x0, y0, x1, y1, ... with each x more than 1e-6 above the
   * one before (libcamera appends each point and fails when one was dropped). Anything else is a
   * TuningError naming `path`.
   */
  static fromTuning(value: unknown, path: string): Pwl {
    const single = tuningNumber(value);
    if (single !== undefined) return new Pwl([{ x: 0, y: single }]);
    if (!Array.isArray(value)) throw new TuningError(path, 'expected a number or a list of x, y numbers');
    if (value.length === 0) throw new TuningError(path, 'expected a list of x, y numbers, got an empty list');
    if (value.length % 2 !== 0)
      throw new TuningError(path, `expected a list of x, y numbers, got an odd count (${value.length})`);
    const pwl = new Pwl();
    for (let i = 0; i < value.length; i++) {
      const n = tuningNumber(value[i]);
      if (n === undefined) throw new TuningError(`${path}[${i}]`, 'expected a number');
    }
    for (let i = 0; i < value.length; i += 2) {
      const before = pwl.size;
      pwl.append(tuningNumber(value[i])!, tuningNumber(value[i + 1])!);
      if (pwl.size === before)
        throw new TuningError(`${path}[${i}]`, 'x values must increase (each more than 1e-6 above the one before)');
    }
    return pwl;
  }

  /** Adds (x, y) at the end, unless x is not more than eps beyond the last point's x. */
  append(x: number, y: number, eps = DEFAULT_EPS): void {
    const p = this.points_;
    if (p.length === 0 || p[p.length - 1]!.x + eps < x) p.push({ x, y });
  }

  /** Adds (x, y) at the front, unless x is not more than eps before the first point's x. */
  prepend(x: number, y: number, eps = DEFAULT_EPS): void {
    const p = this.points_;
    if (p.length === 0 || p[0]!.x - eps > x) p.unshift({ x, y });
  }

  get empty(): boolean {
    return this.points_.length === 0;
  }

  clear(): void {
    this.points_ = [];
  }

  get size(): number {
    return this.points_.length;
  }

  get points(): readonly PwlPoint[] {
    return this.points_;
  }

  domain(): PwlInterval {
    const p = this.nonEmpty('domain');
    return new PwlInterval(p[0]!.x, p[p.length - 1]!.x);
  }

  range(): PwlInterval {
    const p = this.nonEmpty('range');
    let lo = p[0]!.y;
    let hi = lo;
    for (const pt of p) {
      // std::min / std::max: the first argument unless the second is strictly beyond it.
      if (pt.y < lo) lo = pt.y;
      if (hi < pt.y) hi = pt.y;
    }
    return new PwlInterval(lo, hi);
  }

  /**
   * The function at x, extrapolating the first and last segments beyond the domain. `span`,
   * when given and not -1, is where the search for x's segment starts; it is set to the segment
   * found unless updateSpan is false.
   */
  eval(x: number, span?: PwlSpan, updateSpan = true): number {
    const p = this.nonEmpty('eval');
    // points_.size() / 2 - 1 is size_t arithmetic: for 0 or 1 points it wraps, and as int is -1.
    const index = this.findSpan(x, span && span.span !== -1 ? span.span : Math.floor(p.length / 2) - 1);
    if (span && updateSpan) span.span = index;
    if (p.length === 1) return p[0]!.y;
    const a = p[index]!;
    const b = p[index + 1]!;
    return a.y + ((x - a.x) * (b.y - a.y)) / (b.x - a.x);
  }

  private findSpan(x: number, span: number): number {
    const p = this.points_;
    const lastSpan = p.length - 2;
    span = Math.max(0, Math.min(lastSpan, span));
    while (span < lastSpan && x >= p[span + 1]!.x) span++;
    while (span && x < p[span]!.x) span--;
    return span;
  }

  /**
   * The inverse function, and whether it is a true inverse (false when points had to go on both
   * ends, or some fitted on neither: the function is not monotonic).
   */
  inverse(eps = DEFAULT_EPS): { pwl: Pwl; trueInverse: boolean } {
    let appended = false;
    let prepended = false;
    let neither = false;
    const inverse = new Pwl();
    const ip = (): { x: number; y: number }[] => inverse.points_;

    for (const p of this.points_) {
      if (inverse.empty) {
        inverse.append(p.y, p.x, eps);
      } else if (Math.abs(ip()[ip().length - 1]!.x - p.y) <= eps || Math.abs(ip()[0]!.x - p.y) <= eps) {
        // Already there (within eps) at one end.
      } else if (p.y > ip()[ip().length - 1]!.x) {
        inverse.append(p.y, p.x, eps);
        appended = true;
      } else if (p.y < ip()[0]!.x) {
        inverse.prepend(p.y, p.x, eps);
        prepended = true;
      } else {
        neither = true;
      }
    }
    return { pwl: inverse, trueInverse: !(neither || (appended && prepended)) };
  }

  /**
   * other(this(x)). Ported as libcamera has it, including the step toward the previous span of
   * `other`, which computes the new x from other's next control point (as the C++ does).
   */
  compose(other: Pwl, eps = DEFAULT_EPS): Pwl {
    const p = this.nonEmpty('compose');
    const o = other.nonEmpty('compose');
    let thisX = p[0]!.x;
    let thisY = p[0]!.y;
    let thisSpan = 0;
    const otherSpan: PwlSpan = { span: other.findSpan(thisY, 0) };
    const result = new Pwl([{ x: thisX, y: other.eval(thisY, otherSpan, false) }]);

    while (thisSpan !== p.length - 1) {
      const dx = p[thisSpan + 1]!.x - p[thisSpan]!.x;
      const dy = p[thisSpan + 1]!.y - p[thisSpan]!.y;
      if (Math.abs(dy) > eps && otherSpan.span + 1 < o.length && p[thisSpan + 1]!.y >= o[otherSpan.span + 1]!.x + eps) {
        // This function's y reaches the next span of other.
        thisX = p[thisSpan]!.x + ((o[otherSpan.span + 1]!.x - p[thisSpan]!.y) * dx) / dy;
        thisY = o[++otherSpan.span]!.x;
      } else if (Math.abs(dy) > eps && otherSpan.span > 0 && p[thisSpan + 1]!.y <= o[otherSpan.span - 1]!.x - eps) {
        // This function's y reaches the previous span of other (x as the C++ computes it).
        thisX = p[thisSpan]!.x + ((o[otherSpan.span + 1]!.x - p[thisSpan]!.y) * dx) / dy;
        thisY = o[--otherSpan.span]!.x;
      } else {
        thisSpan++;
        thisX = p[thisSpan]!.x;
        thisY = p[thisSpan]!.y;
      }
      result.append(thisX, other.eval(thisY, otherSpan, false), eps);
    }
    return result;
  }

  /** Calls f on every control point, in order. */
  map(f: (x: number, y: number) => void): void {
    for (const pt of this.points_) f(pt.x, pt.y);
  }

  /** Calls f at every control point of either Pwl, in x order, with both functions' values. */
  private static map2(pwl0: Pwl, pwl1: Pwl, f: (x: number, y0: number, y1: number) => void): void {
    const p0 = pwl0.nonEmpty('combine');
    const p1 = pwl1.nonEmpty('combine');
    const span0: PwlSpan = { span: 0 };
    const span1: PwlSpan = { span: 0 };
    let x = Math.min(p0[0]!.x, p1[0]!.x);
    f(x, pwl0.eval(x, span0, false), pwl1.eval(x, span1, false));

    while (span0.span < p0.length - 1 || span1.span < p1.length - 1) {
      if (span0.span === p0.length - 1) x = p1[++span1.span]!.x;
      else if (span1.span === p1.length - 1) x = p0[++span0.span]!.x;
      else if (p0[span0.span + 1]!.x > p1[span1.span + 1]!.x) x = p1[++span1.span]!.x;
      else x = p0[++span0.span]!.x;
      f(x, pwl0.eval(x, span0, false), pwl1.eval(x, span1, false));
    }
  }

  /** The Pwl through every control point of both, with y = f(x, pwl0(x), pwl1(x)). */
  static combine(pwl0: Pwl, pwl1: Pwl, f: (x: number, y0: number, y1: number) => number, eps = DEFAULT_EPS): Pwl {
    const result = new Pwl();
    Pwl.map2(pwl0, pwl1, (x, y0, y1) => result.append(x, f(x, y0, y1), eps));
    return result;
  }

  /** Multiplies every y by d in place (operator*=); returns this. */
  scale(d: number): this {
    for (const pt of this.points_) pt.y *= d;
    return this;
  }

  /** As libcamera's toString(): `Pwl { (x, y) (x, y) }`, numbers as C++ streams print them (%g). */
  toString(): string {
    return `Pwl { ${this.points_.map((p) => `(${formatG(p.x)}, ${formatG(p.y)}) `).join('')}}`;
  }

  private nonEmpty(what: string): readonly { x: number; y: number }[] {
    if (this.points_.length === 0) throw new RangeError(`Pwl.${what}: the Pwl has no points`);
    return this.points_;
  }
}

/** printf's %g with 6 significant digits, the default of a C++ ostream. */
function formatG(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = v.toExponential(5).split('e');
    const mant = m!.includes('.') ? m!.replace(/\.?0+$/, '') : m!;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, 5 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
