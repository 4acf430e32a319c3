import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FrameWriter as FrameWriterClass } from '../cli/frame-writer';

// The compiled writer: its threads run dist/cli/png-worker.js.
const { FrameWriter } = require('../dist/cli/frame-writer.js') as { FrameWriter: typeof FrameWriterClass };

/**
 * An RGB888 frame of one colour, in a buffer of its own, as capture copies one out. (libcamera's
 * RGB888 keeps blue first in memory: the names are those of a little-endian 24-bit word.)
 */
function frame(width: number, height: number, bgrInMemory: [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(bgrInMemory, i);
  return { width, height, stride: width * 3, pixelFormat: 'RGB888' as const, data };
}

describe("capture's frame writer", () => {
  let out: string;
  beforeEach(() => void (out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-writer-'))));
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes each frame handed to it, red first, and hands over the memory instead of copying it', async () => {
    const writer = new FrameWriter({ threads: 2 });
    const frames = [frame(8, 4, [0, 0, 255]), frame(8, 4, [0, 255, 0]), frame(8, 4, [255, 0, 0])];
    for (const [i, picture] of frames.entries()) {
      await writer.reserve(picture.data.byteLength);
      writer.write(path.join(out, `frame-${i}.png`), picture);
      expect(picture.data.byteLength).toBe(0);
    }
    const files = await writer.finish();
    expect(files.map((f) => path.basename(f))).toEqual(['frame-0.png', 'frame-1.png', 'frame-2.png']);
    const firstPixels = files.map((f) => [...PNG.sync.read(fs.readFileSync(f)).data.subarray(0, 3)]);
    expect(firstPixels).toEqual([[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
  });

  it('makes a capture that outruns it wait, once the frames waiting hold its bound', async () => {
    const picture = () => frame(256, 256, [1, 2, 3]);
    const size = picture().data.byteLength;
    const writer = new FrameWriter({ threads: 1, pendingBytes: 2 * size });
    await writer.reserve(size);
    writer.write(path.join(out, 'a.png'), picture());
    await writer.reserve(size);
    writer.write(path.join(out, 'b.png'), picture());
    // A third frame would go over the bound: it waits until one of the two is on disk (without
    // the bound it would go on at once, long before a thread could write a file).
    await writer.reserve(size);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(1);
    writer.write(path.join(out, 'c.png'), picture());
    expect((await writer.finish()).length).toBe(3);
  });

  it('fails the capture with the file it could not write', async () => {
    const writer = new FrameWriter({ threads: 1, pendingBytes: 1 });
    const missing = path.join(out, 'no-such-dir/frame-0000.png');
    await writer.reserve(12);
    writer.write(missing, frame(2, 2, [0, 0, 0]));
    // The next frame waits for room, then learns of the failure instead of being copied out.
    await expect(writer.reserve(12)).rejects.toThrow(`cannot write ${missing}: ENOENT: no such file or directory, open '${missing}'`);
    await expect(writer.finish()).rejects.toThrow(`cannot write ${missing}`);
  });
});
