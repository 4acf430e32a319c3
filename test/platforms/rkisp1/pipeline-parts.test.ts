/**
 * The rkisp1 pipeline handler's parts that need no device: its configuration validation (as
 * libcamera's RkISP1Path), its frame bookkeeping (libcamera's RkISP1Frames), the check on the
 * sensor controls an IPA asks for, the tuning file choice, and the request queue's held
 * completion it relies on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtime } from '../../support';
import { kit, kitMissing } from '../../libcamera-kit';
import { defaultConfiguration, validateConfiguration } from '../../../dist/platforms/rkisp1/configuration.js';
import { RkISP1Frames } from '../../../dist/platforms/rkisp1/frames.js';
import { checkSensorControls, hardwareRevision, tuningFile, TUNING_DIR } from '../../../dist/platforms/rkisp1/init.js';
import { sensorDelays, sensorModel } from '../../../dist/platforms/rkisp1/sensor.js';
import { RequestQueue } from '../../../dist/camera/requests.js';
import { v4l2ControlInfoMap } from '../../../dist/camera/sensor-controls.js';
import type { CameraConfiguration } from '../../../dist/camera/configuration.js';
import type { MediaGraph } from '../../../dist/runtime/v4l2/index.js';

const { ControlList, ControlValue } = runtime;

describe('rkisp1 configuration, as libcamera validates the main path', () => {
  it('defaults to NV12 at the viewfinder size, bounded to the sensor', () => {
    expect(defaultConfiguration({ width: 3280, height: 2464 })).toEqual({ pixelFormat: 'NV12', size: { width: 1920, height: 1080 }, bufferCount: 4 });
    expect(defaultConfiguration({ width: 1280, height: 720 }).size).toEqual({ width: 1280, height: 720 });
  });

  it('keeps what the main path gives and adjusts the rest', () => {
    const ok: CameraConfiguration = { pixelFormat: 'YUYV', size: { width: 640, height: 480 }, bufferCount: 6 };
    expect(validateConfiguration(ok)).toBe('valid');
    expect(ok).toEqual({ pixelFormat: 'YUYV', size: { width: 640, height: 480 }, bufferCount: 6 });
    const rgb: CameraConfiguration = { pixelFormat: 'BGR888', size: { width: 9000, height: 7 }, bufferCount: 2 };
    expect(validateConfiguration(rgb)).toBe('adjusted');
    expect(rgb).toEqual({ pixelFormat: 'NV12', size: { width: 4416, height: 16 }, bufferCount: 4 });
    const odd: CameraConfiguration = { pixelFormat: 'NV12', size: { width: 641, height: 481 }, bufferCount: 4 };
    expect(validateConfiguration(odd)).toBe('adjusted');
    expect(odd.size).toEqual({ width: 640, height: 480 });
  });
});

describe('rkisp1 frame bookkeeping (RkISP1Frames)', () => {
  const frames = () => new RkISP1Frames([1, 2, 3, 4], [5, 6, 7, 8]);

  it('takes parameters and statistics buffers in turn, and refuses when none is free', () => {
    const f = frames();
    const made = [0, 1, 2, 3].map((frame) => f.create(frame, frame)!);
    expect(made.map((i) => [i.paramsId, i.statsId])).toEqual([[1, 5], [2, 6], [3, 7], [4, 8]]);
    expect(f.create(4, 0)).toBeUndefined();
    expect(f.create(0, 0)).toBeUndefined();
  });

  it('completes once metadata and parameters are back, frees the buffers once both are back', () => {
    const f = frames();
    const info = f.create(0, 2)!;
    info.paramsComputed = info.paramsQueued = info.statsQueued = true;
    expect(f.findByParams(1)).toBe(info);
    expect(f.findByStats(5)).toBe(info);
    info.statsBack = info.statsSent = true;
    info.metadata = true;
    expect(f.complete(info)).toBe(false);
    expect(f.settle(info)).toBe(false);
    info.paramsBack = true;
    expect(f.complete(info)).toBe(true);
    expect(f.settle(info)).toBe(true);
    expect(f.find(0)).toBeUndefined();
    expect(f.freeCount).toEqual({ params: 4, stats: 4 });
    // Freed buffers are taken again after the others, as a V4L2 queue cycles.
    expect(f.create(1, 0)!.paramsId).toBe(2);
  });

  it('an abandoned frame is freed only once the devices gave its buffers back', () => {
    const f = frames();
    const queued = f.create(0, 0)!;
    queued.paramsQueued = queued.statsQueued = true;
    const waiting = f.create(1, 1)!;
    f.abandonAll();
    expect(f.find(1)).toBeUndefined();
    expect(f.find(0)).toBe(queued);
    queued.paramsBack = queued.statsBack = true;
    expect(f.settle(queued)).toBe(true);
    expect(f.inFlight).toBe(0);
    expect(() => f.drop(Object.assign(f.create(2, 0)!, { paramsQueued: true }))).toThrow(RangeError);
    void waiting;
  });
});

describe('the sensor controls an IPA asks for', () => {
  const descriptions = [
    { id: 0x00980911, name: 'Exposure', type: 1, minimum: 4n, maximum: 1759n, step: 1n, defaultValue: 1600n, flags: 0 },
    { id: 0x009e0903, name: 'Analogue Gain', type: 1, minimum: 0n, maximum: 232n, step: 1n, defaultValue: 0n, flags: 0 },
    { id: 0x00980914, name: 'Horizontal Flip', type: 2, minimum: 0n, maximum: 1n, step: 1n, defaultValue: 0n, flags: 0 },
  ];
  const ranges = v4l2ControlInfoMap(descriptions);
  const delayed = { handles: (id: number) => id === 0x00980911 || id === 0x009e0903 || id === 0x009e0901 };
  const list = (entries: [number, runtime.ControlValue][]) => {
    const l = new ControlList(ranges);
    for (const [id, v] of entries) l.setValue(id, v);
    return l;
  };

  it('takes integers, in range or not: the driver clamps them, as libcamera relies on', () => {
    expect(checkSensorControls(list([[0x00980911, ControlValue.i32(1759)], [0x009e0903, ControlValue.i32(0)]]), ranges, delayed)).toBeUndefined();
    expect(checkSensorControls(list([[0x00980911, ControlValue.i32(-1349)]]), ranges, delayed)).toBeUndefined();
  });

  it('names what it refuses', () => {
    expect(checkSensorControls(list([[0x00f0f000, ControlValue.i32(1)]]), ranges, delayed)).toMatch(/^names control 0xf0f000, which the sensor lacks/);
    // The sensor has it, but libcamera's DelayedControls for rkisp1 does not handle it.
    expect(checkSensorControls(list([[0x00980914, ControlValue.i32(1)]]), ranges, delayed)).toMatch(/^names control 0x980914/);
    expect(checkSensorControls(list([[0x00980911, ControlValue.float(10.5)]]), ranges, delayed)).toBe('gives control 0x980911 a value that is not a 32-bit integer');
  });
});

describe('what the IPA is told at init', () => {
  it("imx219's delays are libcamera's camera_sensor_properties', vertical blanking written first", () => {
    expect(sensorModel('imx219 4-0010')).toBe('imx219');
    expect(sensorDelays('imx219')).toEqual([
      [0x009e0903, { delay: 1 }], [0x00980911, { delay: 2 }], [0x009e0901, { delay: 2, priorityWrite: true }],
    ]);
    expect(sensorDelays('unknown').every(([, p]) => p.delay === 0)).toBe(true);
  });

  it("the sensor's own tuning file if there is one, else libcamera's uncalibrated.yaml, shipped with the IPA", () => {
    expect(tuningFile('imx219')).toBe(path.join(TUNING_DIR, 'uncalibrated.yaml'));
    expect(kit, kitMissing).toBeDefined();
    expect(fs.readFileSync(tuningFile('imx219'), 'utf8')).toBe(fs.readFileSync(path.join(kit!, 'ipa/data/rkisp1/uncalibrated.yaml'), 'utf8'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-tuning-'));
    try {
      fs.writeFileSync(path.join(dir, 'ov5640.yaml'), 'version: 1\n');
      expect(tuningFile('ov5640', dir)).toBe(path.join(dir, 'ov5640.yaml'));
      expect(tuningFile('imx219', dir)).toBe(path.join(dir, 'uncalibrated.yaml'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the ISP's revision is the media device's; a simulated one without it is V10, a driver without it too old", () => {
    const graph = (hwRevision: number | undefined, simulated: boolean) => ({ path: '/dev/media9', simulated, info: { hwRevision } }) as unknown as MediaGraph;
    expect(hardwareRevision(graph(12, false))).toBe(12);
    expect(hardwareRevision(graph(undefined, true))).toBe(10);
    expect(() => hardwareRevision(graph(0, false))).toThrow(/gives no hardware revision/);
  });
});

describe('a held request (completes once its image and the platform\'s part are in)', () => {
  const queue = () => {
    const queued: number[] = [];
    const q = new RequestQueue<string>({ queueBuffer: (i) => queued.push(i), paramsTimeoutMs: 60_000, onParamsOverdue: () => {} });
    q.reset(2);
    return { q, queued };
  };
  const data = () => ({ data: new Uint8Array(4), width: 2, height: 2, stride: 2, pixelFormat: 'NV12' as const });
  const done = (index: number, sequence: number) => ({ index, sequence, timestamp: BigInt(sequence), bytesUsed: 4, error: false });

  it('in either order', async () => {
    const { q, queued } = queue();
    const first = q.submit(() => {});
    const second = q.submit(() => {});
    q.paramsReady(0, 'a', true);
    q.paramsReady(1, 'b', true);
    expect(queued).toEqual([0, 1]);
    let settled = false;
    void first.then(() => (settled = true));
    q.complete(done(0, 0), data);
    await Promise.resolve();
    expect(settled).toBe(false);
    q.completeHeld(0);
    expect((await first).params).toBe('a');
    q.completeHeld(1);
    q.complete(done(1, 1), data);
    expect((await second).sequence).toBe(1);
  });

  it('fails once its buffer is back when what it waits for will not come', async () => {
    const { q } = queue();
    const request = q.submit(() => {});
    q.paramsReady(0, 'a', true);
    const error = new Error('the IPA crashed');
    q.failHeld(error);
    const outcome = request.then(() => 'resolved', (e: Error) => e.message);
    await Promise.resolve();
    q.complete(done(0, 0), data);
    expect(await outcome).toBe('the IPA crashed');
    // Its buffer is free again: two more requests get both buffers.
    const indices: number[] = [];
    const next = [0, 1].map(() => q.submit((r) => indices.push(r.bufferIndex)));
    expect(indices.sort()).toEqual([0, 1]);
    for (const i of indices) q.paramsReady(i, `buffer ${i}`);
    for (const i of indices) q.complete(done(i, i + 1), data);
    expect((await Promise.all(next)).map((f) => f.params).sort()).toEqual(['buffer 0', 'buffer 1']);
  });
});
