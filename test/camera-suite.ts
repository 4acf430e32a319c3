/**
 * The vimc pipeline's behaviour, whatever the camera underneath: run on the simulated vimc by
 * `npm test`, and on the real vimc driver inside the VM by `npm run test:vimc`.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runtime } from './support';
import { VimcCamera } from '../dist/platforms/vimc/pipeline.js';
import type { Frame } from '../dist/platforms/vimc/pipeline.js';
import type { FrameParams } from '../dist/platforms/vimc/params.js';
import type { Camera } from '../dist/camera/camera.js';
import type { MediaGraph } from '../dist/runtime/v4l2/index.js';

/** The 75% colour bars as R, G, B, measured on the real driver. */
export const COLORBAR_75 = [
  [191, 191, 191], [191, 191, 0], [0, 191, 191], [0, 191, 0], [191, 0, 191], [191, 0, 0], [0, 0, 191], [0, 0, 0],
];

/** Each bar's centre on the top, middle and bottom rows, as R, G, B; the bars' edges are blended by debayering. */
export function barCentres(frame: Pick<Frame, 'data' | 'width' | 'height' | 'stride' | 'pixelFormat'>): number[][][] {
  const bgr = frame.pixelFormat === 'RGB888';
  return [1, frame.height >> 1, frame.height - 2].map((y) => COLORBAR_75.map((_, bar) => {
    const x = Math.floor(((bar + 0.5) * frame.width) / 8);
    const at = y * frame.stride + x * 3;
    const px = [frame.data[at]!, frame.data[at + 1]!, frame.data[at + 2]!];
    return bgr ? px.reverse() : px;
  }));
}

export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Captures `count` frames with every buffer busy; each frame's bars are read before its buffer goes back. */
export async function captureFrames(camera: Camera<FrameParams>, count: number, controls?: (i: number) => runtime.ControlList | undefined) {
  const frames = await Promise.all(Array.from({ length: count }, (_, i) => camera.capture(controls?.(i)).then((frame) => {
    const kept = { sequence: frame.sequence, request: frame.request, timestamp: frame.timestamp, params: frame.params, bars: barCentres(frame), error: frame.error };
    frame.release();
    return kept;
  })));
  return frames.sort((a, b) => a.sequence - b.sequence);
}

export function cameraSuite(name: string, openGraph: () => MediaGraph, modes: readonly runtime.Isolation[]): void {
  const cameras: VimcCamera[] = [];
  afterEach(async () => {
    await Promise.all(cameras.splice(0).map((c) => c.close()));
  });
  const open = async (isolation: runtime.Isolation) => {
    const camera = await VimcCamera.open(openGraph(), { isolation, timeoutMs: 10_000 });
    cameras.push(camera);
    return camera;
  };

  for (const isolation of modes) {
    describe(`${name}, IPA in ${isolation} mode`, () => {
      it('captures the test pattern at two sizes, sequence numbers without gaps', async () => {
        const camera = await open(isolation);
        for (const [size, format] of [[{ width: 640, height: 480 }, 'BGR888'], [{ width: 320, height: 240 }, 'RGB888']] as const) {
          const config = camera.generateConfiguration();
          config.size = { ...size };
          config.pixelFormat = format;
          expect(camera.validate(config)).toBe('valid');
          await camera.configure(config);
          await camera.start();
          const frames = await captureFrames(camera, 12);
          await camera.stop();
          expect(frames.map((f) => f.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i));
          expect(frames.map((f) => f.request).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
          for (const frame of frames) {
            expect(frame.error).toBe(false);
            for (const row of frame.bars) expect(row).toEqual(COLORBAR_75);
          }
          const times = frames.map((f) => f.timestamp);
          expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
        }
      });

      it('the IPA reads the capture buffers it was given and its parameters reach the sensor', async () => {
        const camera = await open(isolation);
        const config = camera.generateConfiguration();
        config.size = { width: 320, height: 240 };
        await camera.configure(config);
        await camera.start();
        const brighter = new runtime.ControlList(runtime.controlIds);
        brighter.set(runtime.controls.Brightness, 0.25);
        const frames = await captureFrames(camera, 10, (i) => (i === 5 ? brighter : undefined));
        // The first round of buffers held nothing yet; from the fifth frame on, the IPA measured
        // the bars it read through its own mapping of each buffer (four of eight bars lit per channel).
        expect(frames.slice(0, 4).every((f) => f.params.previousMean === undefined)).toBe(true);
        for (const f of frames.slice(4, 6)) for (const channel of f.params.previousMean!) expect(channel).toBeCloseTo(95.5, 1);
        // Brightness 0.25 is V4L2 160; libcamera's vimc pipeline maps it the same way.
        expect(frames.map((f) => f.params.brightness)).toEqual([128, 128, 128, 128, 128, 160, 160, 160, 160, 160]);
        // Brighter on the sensor: the white bar stays grey, lighter than 191 (the real pattern
        // generator adds 30 for 160 through its colour pipeline; the simulation adds 32).
        const white = frames[frames.length - 1]!.bars[1]![0]!;
        expect(new Set(white).size).toBe(1);
        expect(white[0]).toBeGreaterThanOrEqual(221);
        if (isolation === 'process') {
          // It did all that from inside the sandbox: seccomp filter on, Node's permission model on.
          const pid = (camera.ipa as unknown as { channel: { worker: { pid: number } } }).channel.worker.pid;
          expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/Seccomp:\s+2/);
          const flags = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          expect(flags.includes('--permission') || flags.includes('--experimental-permission'), flags.join(' ')).toBe(true);
        }
        await camera.stop();
      });

      it('leaves the devices reusable and leaks no fds when closed', async () => {
        const before = openFds();
        for (let round = 0; round < 2; round++) {
          const camera = await VimcCamera.open(openGraph(), { isolation, timeoutMs: 10_000 });
          const config = camera.generateConfiguration();
          config.size = { width: 160, height: 120 };
          await camera.configure(config);
          await camera.start();
          await captureFrames(camera, 6);
          await camera.close();
        }
        expect(openFds()).toBe(before);
      });
    });
  }
}
