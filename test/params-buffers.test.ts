import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParamsBufferPool } from '../dist/camera/params-buffers.js';
import { openFds, runtime } from './support';

const spec = { name: 'test-params', firstId: 0x100, count: 4, bytes: 3200 };

describe('ParamsBufferPool', () => {
  it('gives each buffer its own memfd of the size asked, with ids from firstId', () => {
    const pool = ParamsBufferPool.allocate(spec);
    try {
      expect(pool.ids).toEqual([0x100, 0x101, 0x102, 0x103]);
      const list = pool.ipaBuffers();
      expect(list.map((b) => b.id)).toEqual(pool.ids);
      const fds = list.map((b) => b.planes[0]!.fd.fd);
      expect(new Set(fds).size).toBe(4);
      for (const b of list) {
        expect(b.planes).toHaveLength(1);
        expect(b.planes[0]!.offset).toBe(0);
        expect(b.planes[0]!.length).toBe(3200);
        expect(fs.readlinkSync(`/proc/self/fd/${b.planes[0]!.fd.fd}`)).toContain('memfd:test-params');
      }
    } finally {
      pool.release();
    }
  });

  it('shares the memory: what the other side writes through the fd, the pool reads', () => {
    const pool = ParamsBufferPool.allocate(spec);
    try {
      const plane = pool.ipaBuffers()[2]!.planes[0]!;
      const other = runtime.SharedMemory.fromFd(plane.fd.dup().fd);
      const written = new Uint8Array(other.map(plane.offset, plane.length));
      other.close();
      written[0] = 0xab;
      written[3199] = 0xcd;
      const view = pool.get(0x102)!.view;
      expect([view[0], view[3199]]).toEqual([0xab, 0xcd]);
      expect(pool.get(0x101)!.view[0]).toBe(0);
    } finally {
      pool.release();
    }
  });

  it('takes a free buffer per request, first in first out, and none when all are taken', () => {
    const pool = ParamsBufferPool.allocate(spec);
    try {
      const taken = [pool.take(), pool.take(), pool.take(), pool.take()].map((b) => b!.id);
      expect(taken).toEqual(pool.ids);
      expect(pool.take()).toBeUndefined();
      expect(pool.freeCount).toBe(0);
      pool.giveBack(0x102);
      pool.giveBack(0x100);
      expect(pool.take()!.id).toBe(0x102);
      expect(pool.take()!.id).toBe(0x100);
      // Taken or not, a buffer is found by its id (the IPA's paramsComputed names it).
      expect(pool.get(0x103)!.id).toBe(0x103);
      expect(pool.get(0x104)).toBeUndefined();
    } finally {
      pool.release();
    }
  });

  it('refuses to give back a buffer twice or one that is not its own', () => {
    const pool = ParamsBufferPool.allocate(spec);
    try {
      expect(() => pool.giveBack(0x100)).toThrow(/already free/);
      expect(() => pool.giveBack(7)).toThrow(/not this pool's/);
    } finally {
      pool.release();
    }
  });

  it('leaves no fd behind once released, and refuses use after', () => {
    const before = openFds();
    const pool = ParamsBufferPool.allocate({ ...spec, count: 8 });
    expect(openFds()).toBe(before + 8);
    pool.take();
    pool.release();
    pool.release();
    expect(openFds()).toBe(before);
    expect(pool.get(0x100)).toBeUndefined();
    expect(() => pool.take()).toThrow(/released/);
    expect(() => pool.ipaBuffers()).toThrow(/released/);
  });

  it('refuses a pool without buffers or without a size, leaving no fd', () => {
    const before = openFds();
    expect(() => ParamsBufferPool.allocate({ ...spec, count: 0 })).toThrow(RangeError);
    expect(() => ParamsBufferPool.allocate({ ...spec, bytes: 0 })).toThrow(RangeError);
    expect(openFds()).toBe(before);
  });
});
