import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pwl, type PwlSpan } from '../../dist/ipa/pwl.js';
import { TuningError } from '../../dist/ipa/tuning.js';

const pts = (p: Pwl): [number, number][] => p.points.map((q) => [q.x, q.y]);
// y = x² at 0..3.
const square = Pwl.fromPairs([[0, 0], [1, 1], [2, 4], [3, 9]]);

describe('Pwl', () => {
  it('evaluates inside the domain and extrapolates the end segments outside it', () => {
    const target = Pwl.fromTuning([0, 0.5, 1000, 0.3], 'x');
    // 0.5 + 500 * (0.3 - 0.5) / 1000 = 0.4
    expect(target.eval(500)).toBeCloseTo(0.4, 15);
    // Beyond either end the end segment continues: 0.5 + 2000 * -0.0002 = 0.1, 0.5 + 1000 * 0.0002 = 0.7.
    expect(target.eval(2000)).toBeCloseTo(0.1, 15);
    expect(target.eval(-1000)).toBeCloseTo(0.7, 15);
    // Clamped to the domain, as the AGC reads targets.
    expect(target.eval(target.domain().clamp(2000))).toBe(0.3);
    expect(target.domain()).toMatchObject({ start: 0, end: 1000 });
    expect(target.range()).toMatchObject({ start: 0.3, end: 0.5 });
  });

  it('is constant with one point (a single number in tuning data is the point (0, value))', () => {
    const one = Pwl.fromTuning(0.5, 'yTarget');
    expect(pts(one)).toEqual([[0, 0.5]]);
    expect(one.eval(-7)).toBe(0.5);
    expect(one.eval(1e6)).toBe(0.5);
    const span: PwlSpan = { span: -1 };
    one.eval(3, span);
    expect(span.span).toBe(0);
    expect(one.domain()).toMatchObject({ start: 0, end: 0 });
    expect(one.domain().clamp(500)).toBe(0);
  });

  it('starts its search at the span hint and updates it unless told not to', () => {
    // No hint: starts at size / 2 - 1 = 1, moves up to span 2 for x = 2.5: 4 + 0.5 * 5.
    const span: PwlSpan = { span: -1 };
    expect(square.eval(2.5, span)).toBe(6.5);
    expect(span.span).toBe(2);
    // From hint 2, x = 0.5 moves down to span 0; with updateSpan false the hint stays.
    expect(square.eval(0.5, span, false)).toBe(0.5);
    expect(span.span).toBe(2);
    expect(square.eval(0.5, span)).toBe(0.5);
    expect(span.span).toBe(0);
    // A hint beyond the last span is clamped to it.
    const far: PwlSpan = { span: 10 };
    expect(square.eval(2.5, far)).toBe(6.5);
    expect(far.span).toBe(2);
  });

  it('appends and prepends only points more than eps beyond the ends', () => {
    const p = new Pwl();
    p.append(1, 1);
    p.append(1 + 1e-7, 2); // within 1e-6: dropped
    p.append(1 + 2e-6, 3);
    p.prepend(1, 0); // not before the front by more than eps: dropped
    p.prepend(0, 0);
    p.append(5, 5, 10); // not more than eps = 10 beyond: dropped
    expect(pts(p)).toEqual([[0, 0], [1, 1], [1 + 2e-6, 3]]);
    p.clear();
    expect(p.empty).toBe(true);
    expect(() => p.eval(0)).toThrow(RangeError);
    expect(() => p.domain()).toThrow(RangeError);
  });

  it('inverts monotonic functions and says when the inverse is not a true one', () => {
    const up = Pwl.fromPairs([[0, 0], [1, 2], [2, 3]]).inverse();
    expect(pts(up.pwl)).toEqual([[0, 0], [2, 1], [3, 2]]);
    expect(up.trueInverse).toBe(true);
    // Decreasing: every later point goes in front.
    const down = Pwl.fromPairs([[0, 2], [1, 1], [2, 0]]).inverse();
    expect(pts(down.pwl)).toEqual([[0, 2], [1, 1], [2, 0]]);
    expect(down.trueInverse).toBe(true);
    // Up then down: y = 1 fits at neither end.
    const bent = Pwl.fromPairs([[0, 0], [1, 2], [2, 1]]).inverse();
    expect(pts(bent.pwl)).toEqual([[0, 0], [2, 1]]);
    expect(bent.trueInverse).toBe(false);
    // Down then up past the start: points on both ends.
    expect(Pwl.fromPairs([[0, 1], [1, 0], [2, 3]]).inverse().trueInverse).toBe(false);
  });

  it('composes, adding a control point where this reaches the next span of the other', () => {
    // f(x) = x on 0..2, g = (0,0) (1,10) (2,12): f reaches g's x = 1 at x = 1, then ends at 2.
    const f = Pwl.fromPairs([[0, 0], [2, 2]]);
    const g = Pwl.fromPairs([[0, 0], [1, 10], [2, 12]]);
    expect(pts(f.compose(g))).toEqual([[0, 0], [1, 10], [2, 12]]);
  });

  it("composes a decreasing function as libcamera does: its previous-span test compares with the span before", () => {
    // f = 3 - x on 0..3, g = (0,0) (1,10) (2,12) (3,13). Starting in g's span 2, f's end y 0 is
    // at most g's x[1] - eps, so the C++ steps back: its new x is computed from g's x[3] (3 - 3)
    // and is 0 again (dropped by append); from span 1 it compares 0 with g's x[0] - eps and
    // stays, ending at (3, g(0)). The kinks at x = 1 and x = 2 are not added.
    const f = Pwl.fromPairs([[0, 3], [3, 0]]);
    const g = Pwl.fromPairs([[0, 0], [1, 10], [2, 12], [3, 13]]);
    expect(pts(f.compose(g))).toEqual([[0, 13], [3, 0]]);
  });

  it('combines two functions at the union of their control points', () => {
    // pwl1 extrapolates to 4 at x = 0; pwl0 to 3 at x = 3.
    const a = Pwl.fromPairs([[0, 0], [2, 2]]);
    const b = Pwl.fromPairs([[1, 5], [3, 7]]);
    expect(pts(Pwl.combine(a, b, (_x, y0, y1) => y0 + y1))).toEqual([[0, 4], [2, 8], [3, 10]]);
  });

  it('maps over its points, scales y and prints as libcamera does', () => {
    const seen: number[][] = [];
    square.map((x, y) => seen.push([x, y]));
    expect(seen).toEqual([[0, 0], [1, 1], [2, 4], [3, 9]]);
    const s = Pwl.fromPairs([[0, 0.5], [1000, 0.125]]).scale(2);
    expect(pts(s)).toEqual([[0, 1], [1000, 0.25]]);
    expect(s.toString()).toBe('Pwl { (0, 1) (1000, 0.25) }');
    expect(Pwl.fromPairs([[1234567, 1 / 3]]).toString()).toBe('Pwl { (1.23457e+06, 0.333333) }');
  });

  it('rejects bad tuning data with the key path', () => {
    expect(() => Pwl.fromTuning([0, 0.5, 1000], 'Agc.relativeLuminanceTarget')).toThrow(
      /^Agc\.relativeLuminanceTarget: .*odd count \(3\)/,
    );
    expect(() => Pwl.fromTuning([0, 0.5, 0, 0.3], 'a.b')).toThrow(/^a\.b\[2\]: x values must increase/);
    expect(() => Pwl.fromTuning([0, 0.5, 1e-7, 0.3], 'a.b')).toThrow(TuningError);
    expect(() => Pwl.fromTuning([0, 'high'], 'a.b')).toThrow(/^a\.b\[1\]: expected a number$/);
    expect(() => Pwl.fromTuning([], 'a.b')).toThrow(/empty list/);
    expect(() => Pwl.fromTuning({ x: 1 }, 'a.b')).toThrow(TuningError);
    expect(() => Pwl.fromTuning(null, 'a.b')).toThrow(TuningError);
    expect(() => Pwl.fromTuning([0, Infinity], 'a.b')).toThrow(/^a\.b\[1\]: expected a number$/);
    expect(() => Pwl.fromTuning('1e400', 'a.b')).toThrow(TuningError);
    // Scalars are YAML text to libcamera: a numeric string reads as its number.
    expect(pts(Pwl.fromTuning(['0', '0.25'], 'a'))).toEqual([[0, 0.25]]);
    let caught: unknown;
    try {
      Pwl.fromTuning(true, 'k');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TuningError);
    expect((caught as InstanceType<typeof TuningError>).path).toBe('k');
  });

  it('inverts a strictly increasing function: inverse(eval(x)) = x over the domain', () => {
    const increasing = fc
      .array(fc.tuple(fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true })), { minLength: 1, maxLength: 12 })
      .map((steps) => {
        let x = 0;
        let y = 0;
        return Pwl.fromPairs([[0, 0], ...steps.map(([dx, dy]): [number, number] => [(x += dx), (y += dy)])]);
      });
    fc.assert(
      fc.property(increasing, fc.double({ min: 0, max: 1, noNaN: true }), (f, t) => {
        const { pwl: inv, trueInverse } = f.inverse();
        expect(trueInverse).toBe(true);
        const d = f.domain();
        const x = d.start + t * d.length;
        expect(inv.eval(f.eval(x))).toBeCloseTo(x, 6);
      }),
    );
  });
});
