/**
 * What the camera suite expects of rkisp1 on its simulation: the main path's YUV formats, a
 * neutral grey chart (chroma at 128, six greys of luma), and an IPA whose decisions (exposure,
 * gain, white balance) come back as each request's metadata and reach the sensor.
 */
import { expect } from 'vitest';
import { runtime } from '../support';
import { RkISP1Camera, type Frame, type RkISP1FrameParams } from '../../dist/platforms/rkisp1/pipeline.js';
import { SimulatedRkISP1, type SimulatedRkISP1Options } from '../../dist/platforms/rkisp1/simulated/index.js';
import type { CameraExpectations } from '../camera-suite';

const { controls } = runtime;

/** What a test reads of a frame: the centre row's luma at each sixth of the width, the mean chroma, and the mean luma. */
export interface YuvSummary {
  luma: number[];
  cb: number;
  cr: number;
  meanY: number;
}

/** Reads a frame's Y, Cb and Cr at (x, y), in NV12 or YUYV. */
function sampler(frame: Pick<Frame, 'data' | 'height' | 'stride' | 'pixelFormat'>) {
  const { data, stride, height } = frame;
  if (frame.pixelFormat === 'YUYV') {
    return (x: number, y: number) => {
      const pair = y * stride + (x >> 1) * 4;
      return [data[y * stride + x * 2]!, data[pair + 1]!, data[pair + 3]!] as const;
    };
  }
  return (x: number, y: number) => {
    const c = stride * height + (y >> 1) * stride + (x & ~1);
    return [data[y * stride + x]!, data[c]!, data[c + 1]!] as const;
  };
}

export function yuvSummary(frame: Pick<Frame, 'data' | 'width' | 'height' | 'stride' | 'pixelFormat'>): YuvSummary {
  const at = sampler(frame);
  const row = frame.height >> 1;
  const luma = [0, 1, 2, 3, 4, 5].map((i) => at(Math.floor(((i + 0.5) * frame.width) / 6), row)[0]);
  let sumY = 0;
  let sumCb = 0;
  let sumCr = 0;
  let n = 0;
  for (let y = 1; y < frame.height; y += 7) {
    for (let x = 1; x < frame.width; x += 7) {
      const [l, cb, cr] = at(x, y);
      sumY += l;
      sumCb += cb;
      sumCr += cr;
      n++;
    }
  }
  return { luma, cb: sumCb / n, cr: sumCr / n, meanY: sumY / n };
}

export function openRkISP1(isolation: runtime.Isolation, options: SimulatedRkISP1Options = {}, cameraOptions: { timeoutMs?: number } = {}): Promise<RkISP1Camera> {
  return RkISP1Camera.open(new SimulatedRkISP1(options), { isolation, timeoutMs: cameraOptions.timeoutMs ?? 10_000 });
}

export const rkisp1Expectations: CameraExpectations<RkISP1FrameParams, YuvSummary> = {
  // 15 frames a second: the simulation renders every frame whose exposure changed, which a loaded machine may be late for.
  open: (isolation) => openRkISP1(isolation, { frameRate: 15 }),
  framesMayDrop: true,
  configurations: [
    { size: { width: 640, height: 480 }, pixelFormat: 'NV12' },
    { size: { width: 320, height: 240 }, pixelFormat: 'YUYV' },
  ],
  smallSize: { width: 160, height: 120 },
  picture: yuvSummary,
  expectPicture: (picture) => {
    // A neutral chart under a neutral illuminant: no colour, and its greys from light to dark.
    expect(Math.abs(picture.cb - 128)).toBeLessThan(4);
    expect(Math.abs(picture.cr - 128)).toBeLessThan(4);
    expect(Math.max(...picture.luma) - Math.min(...picture.luma)).toBeGreaterThan(60);
  },
  ipaSize: { width: 640, height: 480 },
  async checkIPA(captureFrames) {
    const manual = new runtime.ControlList(runtime.controlIds);
    manual.set(controls.ExposureTimeMode, 1).set(controls.ExposureTime, 5000).set(controls.AnalogueGainMode, 1).set(controls.AnalogueGain, 2);
    const frames = await captureFrames(24, (i) => (i === 12 ? manual : undefined));
    // The buffers go round as libcamera numbers them: parameters 1-4, statistics 5-8.
    expect(new Set(frames.map((f) => f.params.paramsBufferId))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(frames.map((f) => f.params.statsBufferId))).toEqual(new Set([5, 6, 7, 8]));
    // The first parameters carry every block; later ones only what changed.
    expect(frames[0]!.params.bytesused).toBeGreaterThan(frames[5]!.params.bytesused);
    for (const f of frames) {
      const m = f.params.metadata;
      for (const id of [controls.ExposureTime, controls.AnalogueGain, controls.ColourGains, controls.ColourTemperature, controls.SensorTimestamp]) expect(m.has(id), id.name).toBe(true);
      // The metadata says what the sensor was set to for the frame.
      const lines = f.params.sensorControls.get(0x00980911)!;
      expect(Math.abs(m.get(controls.ExposureTime)! - (lines * 3448) / 182.4)).toBeLessThanOrEqual(1);
    }
    // AGC lowered the exposure from the sensor's default (the picture was too bright), and the picture followed.
    expect(frames[8]!.params.metadata.get(controls.ExposureTime)!).toBeLessThan(frames[0]!.params.metadata.get(controls.ExposureTime)! * 0.7);
    expect(frames[8]!.picture.meanY).toBeLessThan(frames[0]!.picture.meanY * 0.7);
    // The manual exposure and gain of request 12 reach the sensor: by its delays, within a few frames.
    const last = frames[frames.length - 1]!.params;
    expect(last.metadata.get(controls.ExposureTime)).toBeGreaterThan(4950);
    expect(last.metadata.get(controls.ExposureTime)).toBeLessThanOrEqual(5000);
    expect(last.metadata.get(controls.AnalogueGain)).toBeCloseTo(2, 1);
  },
};
