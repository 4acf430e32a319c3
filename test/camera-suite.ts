/**
 * A camera's behaviour through the `Camera` interface, whatever the platform and whatever the
 * camera underneath: each platform says what it expects (its formats, its picture, its IPA's
 * effect) and runs the suite on its simulation (`npm test`) and, where there is one, on the real
 * driver (vimc's in the VM, `npm run test:vimc`). vimc's expectations: `test/platforms/vimc-support.ts`.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openFds, runtime } from './support';
import type { Camera } from '../dist/camera/camera.js';
import type { CameraConfiguration, Size } from '../dist/camera/configuration.js';
import type { Frame } from '../dist/camera/requests.js';

/** What a test keeps of a frame: read before its buffer goes back. `K` is the platform's picture summary. */
export interface CapturedFrame<P, K> {
  sequence: number;
  request: number;
  timestamp: bigint;
  params: P;
  picture: K;
  error: boolean;
}

export type CaptureFrames<P, K> = (count: number, controls?: (i: number) => runtime.ControlList | undefined) => Promise<CapturedFrame<P, K>[]>;

/** What a platform's camera should do; `P` is what its IPA decides a frame, `K` what `picture` reads of one. */
export interface CameraExpectations<P, K> {
  /** Opens a new camera (on a new media graph) with its IPA in this mode. */
  open(isolation: runtime.Isolation): Promise<Camera<P>>;
  /** Configurations the camera takes as they are ('valid'), captured in turn. */
  configurations: readonly Pick<CameraConfiguration, 'size' | 'pixelFormat'>[];
  /** A small size, for rounds that only count what is left open. */
  smallSize: Size;
  /** Reads what the test checks of a frame's picture. */
  picture(frame: Frame<P>): K;
  /** Checks the picture is the one the camera makes with default controls. */
  expectPicture(picture: K): void;
  /** The size the IPA's checks run at. */
  ipaSize: Size;
  /**
   * The simulation makes frames on its own clock and drops one when no buffer is queued in time
   * (as an ISP does): the sequence numbers then only increase, where they would have no gaps.
   */
  framesMayDrop?: boolean;
  /** Checks, on a started camera, that the IPA sees the buffers and that its parameters take effect. */
  checkIPA(captureFrames: CaptureFrames<P, K>, camera: Camera<P>): Promise<void>;
}

/** Captures `count` frames with every buffer busy; each frame's picture is read before its buffer goes back. */
export async function captureFrames<P, K>(camera: Camera<P>, picture: (frame: Frame<P>) => K, count: number, controls?: (i: number) => runtime.ControlList | undefined): Promise<CapturedFrame<P, K>[]> {
  const frames = await Promise.all(Array.from({ length: count }, (_, i) => camera.capture(controls?.(i)).then((frame) => {
    const kept = { sequence: frame.sequence, request: frame.request, timestamp: frame.timestamp, params: frame.params, picture: picture(frame), error: frame.error };
    frame.release();
    return kept;
  })));
  return frames.sort((a, b) => a.sequence - b.sequence);
}

export function cameraSuite<P, K>(name: string, expected: CameraExpectations<P, K>, modes: readonly runtime.Isolation[]): void {
  const cameras: Camera<P>[] = [];
  afterEach(async () => {
    await Promise.all(cameras.splice(0).map((c) => c.close()));
  });
  const open = async (isolation: runtime.Isolation) => {
    const camera = await expected.open(isolation);
    cameras.push(camera);
    return camera;
  };
  const capture = (camera: Camera<P>, count: number, controls?: (i: number) => runtime.ControlList | undefined) => captureFrames(camera, (f) => expected.picture(f), count, controls);

  for (const isolation of modes) {
    describe(`${name}, IPA in ${isolation} mode`, () => {
      it('captures the default picture in each configuration, sequence numbers without gaps', async () => {
        const camera = await open(isolation);
        for (const { size, pixelFormat } of expected.configurations) {
          const config = camera.generateConfiguration();
          config.size = { ...size };
          config.pixelFormat = pixelFormat;
          expect(camera.validate(config)).toBe('valid');
          await camera.configure(config);
          await camera.start();
          const frames = await capture(camera, 12);
          await camera.stop();
          if (expected.framesMayDrop) expect(frames.every((f, i) => i === 0 || f.sequence > frames[i - 1]!.sequence)).toBe(true);
          else expect(frames.map((f) => f.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i));
          expect(frames.map((f) => f.request).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
          for (const frame of frames) {
            expect(frame.error).toBe(false);
            expected.expectPicture(frame.picture);
          }
          const times = frames.map((f) => f.timestamp);
          expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
        }
      });

      it('the IPA reads the capture buffers it was given and its parameters take effect', async () => {
        const camera = await open(isolation);
        const config = camera.generateConfiguration();
        config.size = { ...expected.ipaSize };
        await camera.configure(config);
        await camera.start();
        await expected.checkIPA((count, controls) => capture(camera, count, controls), camera);
        if (isolation === 'process') {
          // It did all that from inside the sandbox: seccomp filter on, Node's permission model on.
          const pid = (camera as unknown as { ipa: { channel: { worker: { pid: number } } } }).ipa.channel.worker.pid;
          expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/Seccomp:\s+2/);
          const flags = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          expect(flags.includes('--permission') || flags.includes('--experimental-permission'), flags.join(' ')).toBe(true);
        }
        await camera.stop();
      });

      it('leaves the devices reusable and leaks no fds when closed', async () => {
        const before = openFds();
        for (let round = 0; round < 2; round++) {
          const camera = await expected.open(isolation);
          const config = camera.generateConfiguration();
          config.size = { ...expected.smallSize };
          await camera.configure(config);
          await camera.start();
          await capture(camera, 6);
          await camera.close();
        }
        expect(openFds()).toBe(before);
      });
    });
  }
}
