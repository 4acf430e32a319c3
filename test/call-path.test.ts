import { describe, expect, it } from 'vitest';
import { PendingCalls } from '../dist/runtime/ipc/pending-calls';
import { Reader, Writer } from '../dist/runtime';

describe('the pending calls of a pipe', () => {
  it('keeps the calls in the order they were made, whether in the slot or beside it', () => {
    const pending = new PendingCalls<string>();
    pending.add(1, 'a');
    pending.add(2, 'b');
    pending.add(3, 'c');
    expect(pending.entries()).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    // The slot's call answered first: the next call goes after those still waiting.
    pending.delete(1);
    pending.add(4, 'd');
    expect(pending.entries()).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(pending.size).toBe(3);
    pending.delete(3);
    expect([pending.get(2), pending.get(3), pending.get(4)]).toEqual(['b', undefined, 'd']);
    pending.delete(2);
    pending.delete(4);
    expect(pending.size).toBe(0);
    // Nothing waits: the slot again.
    pending.add(5, 'e');
    expect(pending.get(5)).toBe('e');
    expect(pending.get(1)).toBeUndefined();
    pending.clear();
    expect(pending.entries()).toEqual([]);
  });

  it('does not answer a cookie of a call that is gone, even one the slot held', () => {
    const pending = new PendingCalls<string>();
    pending.add(7, 'a');
    pending.delete(7);
    expect(pending.get(7)).toBeUndefined();
    pending.delete(7);
    expect(pending.size).toBe(0);
  });
});

describe('a reused Reader', () => {
  it('reads each value as a new Reader would, from where it is told to start', () => {
    const w = new Writer();
    w.u32(0xdeadbeef, 'header');
    w.u32(7, 'a');
    w.sizedString('hé', 'b');
    const bytes = w.take().data;
    const reused = new Reader(new Uint8Array(0));
    for (let i = 0; i < 2; i++) {
      reused.reset(bytes, [], 4);
      expect(reused.u32('a')).toBe(7);
      expect(reused.sizedString('b')).toBe('hé');
      expect(reused.atEnd).toBe(true);
    }
    // One left inside a frame (a decoder that threw there) leaves nothing of it to the next value.
    const framed = new Writer();
    framed.u32(0, 'header');
    const start = framed.beginWithFds();
    framed.u32(9, 'inner');
    framed.endWithFds(start);
    const frameBytes = framed.take().data;
    reused.reset(frameBytes, [], 4);
    reused.enterWithFds('frame');
    expect(reused.u32('inner')).toBe(9);
    expect(reused.remaining).toBe(0);
    reused.reset(frameBytes, [], 4);
    expect(reused.remaining).toBe(12);
  });
});
