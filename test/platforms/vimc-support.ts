/**
 * What the camera suite expects of vimc: its test pattern (the 75% colour bars), its sizes and
 * formats, and what its IPA does (measures the buffers it maps, sets the sensor's Brightness).
 * Shared by the simulated vimc's tests and the real driver's in the VM.
 */
import { expect } from 'vitest';
import { runtime } from '../support';
import { VimcCamera } from '../../dist/platforms/vimc/pipeline.js';
import type { Frame } from '../../dist/platforms/vimc/pipeline.js';
import type { FrameParams } from '../../dist/platforms/vimc/params.js';
import type { MediaGraph } from '../../dist/runtime/v4l2/index.js';
import type { CameraExpectations } from '../camera-suite';

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

/** vimc's expectations for the camera suite, on the media graph `openGraph` gives (a new one each call). */
export function vimcExpectations(openGraph: () => MediaGraph): CameraExpectations<FrameParams, number[][][]> {
  return {
    open: (isolation) => VimcCamera.open(openGraph(), { isolation, timeoutMs: 10_000 }),
    // Both of vimc's formats, at two sizes the sensor makes as they are.
    configurations: [
      { size: { width: 640, height: 480 }, pixelFormat: 'BGR888' },
      { size: { width: 320, height: 240 }, pixelFormat: 'RGB888' },
    ],
    smallSize: { width: 160, height: 120 },
    picture: barCentres,
    expectPicture: (bars) => {
      for (const row of bars) expect(row).toEqual(COLORBAR_75);
    },
    ipaSize: { width: 320, height: 240 },
    async checkIPA(captureFrames) {
      const brighter = new runtime.ControlList(runtime.controlIds);
      brighter.set(runtime.controls.Brightness, 0.25);
      const frames = await captureFrames(10, (i) => (i === 5 ? brighter : undefined));
      // The first round of buffers held nothing yet; from the fifth frame on, the IPA measured
      // the bars it read through its own mapping of each buffer (four of eight bars lit per channel).
      expect(frames.slice(0, 4).every((f) => f.params.previousMean === undefined)).toBe(true);
      for (const f of frames.slice(4, 6)) for (const channel of f.params.previousMean!) expect(channel).toBeCloseTo(95.5, 1);
      // Brightness 0.25 is V4L2 160; libcamera's vimc pipeline maps it the same way.
      expect(frames.map((f) => f.params.brightness)).toEqual([128, 128, 128, 128, 128, 160, 160, 160, 160, 160]);
      // Brighter on the sensor: the white bar stays grey, lighter than 191 (the real pattern
      // generator adds 30 for 160 through its colour pipeline; the simulation adds 32).
      const white = frames[frames.length - 1]!.picture[1]![0]!;
      expect(new Set(white).size).toBe(1);
      expect(white[0]).toBeGreaterThanOrEqual(221);
    },
  };
}
