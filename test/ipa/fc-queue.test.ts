import { describe, expect, it } from 'vitest';
import { FCQueue, FrameContextOverwrittenError } from '../../dist/ipa/fc-queue.js';

interface Ctx {
  id: number;
  gain: number;
}

function queue(size = 4) {
  let made = 0;
  const warnings: string[] = [];
  const q = new FCQueue<Ctx>(size, () => ({ id: made++, gain: 0 }), { warn: (m) => warnings.push(m) });
  return { q, warnings };
}

describe('FCQueue', () => {
  it('returns the allocated context from get', () => {
    const { q, warnings } = queue();
    const a = q.alloc(1);
    a.gain = 5;
    expect(q.get(1)).toBe(a);
    expect(q.get(1).gain).toBe(5);
    expect(warnings).toEqual([]);
  });

  it('gives a fresh context on alloc', () => {
    const { q } = queue();
    q.alloc(1).gain = 5;
    // Frame 5 takes slot 1 (5 % 4) and starts from a new context.
    expect(q.alloc(5).gain).toBe(0);
  });

  it('wraps around: frame n + size replaces frame n, which then cannot be fetched', () => {
    const { q } = queue(4);
    for (let f = 1; f <= 4; f++) q.alloc(f).gain = f;
    expect(q.get(1).gain).toBe(1);
    q.alloc(5).gain = 50;
    expect(q.get(5).gain).toBe(50);
    expect(q.get(2).gain).toBe(2);
    expect(() => q.get(1)).toThrow(FrameContextOverwrittenError);
    expect(() => q.get(1)).toThrow('Frame context for 1 has been overwritten by 5');
  });

  it('keeps a context on a second alloc of the same frame, with a warning', () => {
    const { q, warnings } = queue();
    const a = q.alloc(3);
    a.gain = 7;
    expect(q.alloc(3)).toBe(a);
    expect(a.gain).toBe(7);
    expect(warnings).toEqual(['Frame 3 already initialised']);
    expect(q.warningCount).toBe(1);
  });

  it('keeps the newer context on alloc of an older frame in the same slot, with a warning (libcamera does)', () => {
    const { q, warnings } = queue(4);
    q.alloc(6).gain = 6;
    expect(q.alloc(2).gain).toBe(6);
    expect(warnings).toEqual(['Frame 2 already initialised']);
  });

  it('re-initialises a frame fetched before it was allocated, with a warning', () => {
    const { q, warnings } = queue();
    q.alloc(1).gain = 9;
    const c = q.get(5);
    expect(c.gain).toBe(0);
    expect(warnings).toEqual(['Obtained an uninitialised FrameContext for 5']);
    // It now belongs to frame 5; alloc(5) keeps it.
    expect(q.alloc(5)).toBe(c);
  });

  it('initialises frame 0 on get before alloc without a warning, and alloc(0) always re-initialises', () => {
    const { q, warnings } = queue();
    const c = q.get(0);
    c.gain = 3;
    expect(q.get(0)).toBe(c);
    expect(warnings).toEqual([]);
    // frame 0 is exempt from the "already initialised" check.
    expect(q.alloc(0)).not.toBe(c);
    expect(warnings).toEqual([]);
  });

  it('clear() frees every slot: the next get re-initialises with a warning', () => {
    const { q, warnings } = queue();
    q.alloc(2).gain = 2;
    q.clear();
    // Slot 2 now says frame 0, so frame 2 is not held: a fresh context.
    expect(q.get(2).gain).toBe(0);
    expect(warnings).toEqual(['Obtained an uninitialised FrameContext for 2']);
    q.alloc(6).gain = 6;
    q.clear();
    // After clear a lower frame is no longer "overwritten".
    expect(q.alloc(2).gain).toBe(0);
  });

  it('rejects a bad size and frame numbers that are not uint32', () => {
    expect(() => new FCQueue(0, () => ({}))).toThrow(RangeError);
    const { q } = queue();
    expect(() => q.alloc(-1)).toThrow(RangeError);
    expect(() => q.get(1.5)).toThrow(RangeError);
    expect(() => q.alloc(2 ** 32)).toThrow(RangeError);
    expect(q.alloc(2 ** 32 - 1)).toBeDefined();
  });

  it('counts warnings without a callback', () => {
    const q = new FCQueue(2, () => ({}));
    q.get(3);
    q.alloc(3);
    expect(q.warningCount).toBe(2);
  });
});
