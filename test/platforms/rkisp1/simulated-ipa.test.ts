/**
 * The real rkisp1 IPA (dist/platforms/rkisp1/ipa, direct isolation, libcamera's uncalibrated
 * tuning) closing its loop on the simulated rkisp1, wired by hand as libcamera's pipeline wires
 * it: requests queued three frames ahead, computeParams into the parameters buffer queued for its
 * frame, processStats with the sensor controls in effect for the frame, the sensor controls it
 * sets written through DelayedControls at each frame start. Exposure must settle where the AGC
 * aims and the white balance gains on the illuminant's inverse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { IPARkISP1Interface } from '../../../dist/platforms/rkisp1/contract.js';
import { IMX219_DELAYS, IMX219_LINE_LENGTH, IMX219_PIXEL_RATE, Imx219Cid, imx219Gain } from '../../../dist/platforms/rkisp1/simulated/index.js';
import { IspVersion, readStats, V4L2_META_FMT_RK_ISP1_EXT_PARAMS } from '../../../dist/platforms/rkisp1/uapi.js';
import { DelayedControls } from '../../../dist/camera/delayed-controls.js';
import { v4l2ControlInfoMap } from '../../../dist/camera/sensor-controls.js';
import { Histogram } from '../../../dist/ipa/index.js';
import { root, runtime } from '../../support';
import { configure, NV12, simulated } from './simulated-support';

const { createProxy, SharedFD, FrameBufferPlane, ControlList, ControlValue, controlIds, controls } = runtime;

const MODULE = path.join(root, 'dist/platforms/rkisp1/ipa/index.js');
/** libcamera's src/ipa/rkisp1/data/uncalibrated.yaml (CC0). */
const UNCALIBRATED = 'version: 1\nalgorithms:\n  - Agc:\n  - Awb:\n  - BlackLevelCorrection:\n';
const SHARED_UNCALIBRATED = '/work/shared/libcamera/ipa/data/rkisp1/uncalibrated.yaml';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-sim-ipa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('drives the real rkisp1 IPA to the AGC target and the illuminant-inverse white balance', async () => {
  if (fs.existsSync(SHARED_UNCALIBRATED)) expect(fs.readFileSync(SHARED_UNCALIBRATED, 'utf8')).toContain(UNCALIBRATED.split('\n').slice(1).join('\n'));
  const tuning = path.join(tmp, 'uncalibrated.yaml');
  fs.writeFileSync(tuning, UNCALIBRATED);

  const illuminant = { r: 1.25, g: 1, b: 0.7 };
  const rk = simulated({ frameRate: 60, scene: { brightness: 30, illuminant } });
  const devices = configure(rk, { width: 640, height: 480 }, NV12, { width: 640, height: 480 }, V4L2_META_FMT_RK_ISP1_EXT_PARAMS);
  const sensor = devices.sensor;
  const sensorControls = v4l2ControlInfoMap(sensor.controls());
  const sensorInfo = {
    model: 'imx219', bitsPerPixel: 10, cfaPattern: 0, activeAreaSize: { width: 3280, height: 2464 },
    analogCrop: { x: sensor.crop(0).left, y: sensor.crop(0).top, width: sensor.crop(0).width, height: sensor.crop(0).height }, outputSize: { width: 640, height: 480 }, pixelRate: BigInt(IMX219_PIXEL_RATE),
    minLineLength: IMX219_LINE_LENGTH, maxLineLength: IMX219_LINE_LENGTH, minFrameLength: 480 + 32, maxFrameLength: 0xffff,
  } as unknown as runtime.IPACameraSensorInfo;

  const ipa = await createProxy(IPARkISP1Interface, { module: MODULE, isolation: 'direct', timeoutMs: 30_000 });
  const main = devices.main.allocateBuffers(4);
  const stats = devices.stats.allocateBuffers(4);
  const params = devices.params.allocateBuffers(4);
  try {
    const init = await ipa.init({ configurationFile: tuning, sensorModel: 'imx219' } as runtime.IPASettings, IspVersion.V10, 0x11ffff, sensorInfo, sensorControls);
    expect(init.ret).toBe(0);
    const configured = await ipa.configure({ sensorInfo, sensorControls, paramFormat: V4L2_META_FMT_RK_ISP1_EXT_PARAMS }, new Map([[0, { pixelFormat: NV12, size: { width: 640, height: 480 } }]]));
    expect(configured.ret).toBe(0);
    const ipaBuffer = (id: number, b: { planes: { fd: number; length: number }[] }) => ({ id, planes: [new FrameBufferPlane(new SharedFD(b.planes[0]!.fd), 0, b.planes[0]!.length)] });
    await ipa.mapBuffers([...params.map((b) => ipaBuffer(1 + b.index, b)), ...stats.map((b) => ipaBuffer(101 + b.index, b))]);
    expect(await ipa.start()).toBe(0);

    const delayed = new DelayedControls(sensor, new Map([
      [Imx219Cid.AnalogueGain, { delay: IMX219_DELAYS.gain }], [Imx219Cid.Exposure, { delay: IMX219_DELAYS.exposure }],
      [Imx219Cid.VBlank, { delay: IMX219_DELAYS.vblank, priorityWrite: true }],
    ]));
    const freeParams = params.map((b) => b.index);
    const paramsOf = new Map<number, number>();
    const history: { frame: number; exposure: number; gain: number; aeMeans: number[]; bins: number[] }[] = [];
    const gains: number[][] = [];
    let nextFrame = 0;
    let failure: unknown;
    const request = () => {
      const frame = nextFrame++;
      const index = freeParams.shift()!;
      paramsOf.set(frame, index);
      ipa.queueRequest(frame, new ControlList(controlIds));
      ipa.computeParams(frame, 1 + index);
    };
    ipa.on('paramsComputed', (frame, bytesused) => {
      try {
        devices.params.queueBuffer(paramsOf.get(frame)!, bytesused);
      } catch (error) {
        failure ??= error;
      }
    });
    ipa.on('setSensorControls', (_frame, list) => delayed.push([...list.entries()].map(([id, v]) => [id, Number(v.value)] as const)));
    ipa.on('metadataReady', (_frame, metadata) => gains.push(metadata.get(controls.ColourGains) as number[]));
    devices.params.onBuffer((b) => freeParams.push(b.index));
    devices.isp.onFrameStart((sequence) => delayed.applyControls(sequence));
    devices.main.onBuffer((b) => devices.main.queueBuffer(b.index));
    devices.stats.onBuffer((b) => {
      const inEffect = delayed.get(b.sequence);
      const list = new ControlList(sensorControls);
      for (const [id, value] of inEffect) list.setValue(id, ControlValue.i32(Number(value)));
      const s = readStats(stats[b.index]!.memory, IspVersion.V10);
      history.push({ frame: b.sequence, exposure: Number(inEffect.get(Imx219Cid.Exposure)), gain: imx219Gain(Number(inEffect.get(Imx219Cid.AnalogueGain))), aeMeans: s.aeMeans, bins: s.histogramBins });
      ipa.processStats(b.sequence, 101 + b.index, list);
      devices.stats.queueBuffer(b.index);
      request();
    });
    for (const b of stats) devices.stats.queueBuffer(b.index);
    for (const b of main) devices.main.queueBuffer(b.index);
    for (let i = 0; i < 3; i++) request();
    const until = Date.now() + 30_000;
    while (freeParams.length > 1) {
      if (Date.now() > until) throw new Error('the first parameters were not computed');
      await new Promise((resolve) => setImmediate(resolve));
    }
    devices.params.streamOn();
    devices.stats.streamOn();
    devices.main.streamOn();
    while (history.length < 90) {
      if (failure) throw failure;
      if (Date.now() > until) throw new Error(`${history.length} frames in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const node of [devices.main, devices.stats, devices.params]) node.streamOff();

    const settled = history.slice(-10);
    const exposureValue = (f: (typeof history)[number]) => f.exposure * f.gain;
    const values = settled.map(exposureValue);
    expect(Math.max(...values) / Math.min(...values), 'exposure × gain settles').toBeLessThan(1.02);
    expect(exposureValue(history[0]!), 'from far off').not.toBeCloseTo(values[0]!, -1);
    const last = settled[settled.length - 1]!;
    // What the AGC aims at: the mean luminance at 0.16 unless the histogram's top 2 % is below 0.5.
    const luminance = last.aeMeans.reduce((a, b) => a + b, 0) / last.aeMeans.length / 255;
    const histogram = new Histogram(last.bins, (x) => x >>> 4);
    const top = histogram.interQuantileMean(0.98, 1.0) / histogram.bins;
    const gainNeeded = Math.max(0.16 / luminance, 0.5 / top);
    expect(Math.abs(gainNeeded - 1), `luminance ${luminance}, top ${top}`).toBeLessThan(0.05);

    const [red, blue] = gains[gains.length - 1]!;
    expect(Math.abs(red! * illuminant.r - 1), `red gain ${red}`).toBeLessThan(0.05);
    expect(Math.abs(blue! * illuminant.b - 1), `blue gain ${blue}`).toBeLessThan(0.05);
  } finally {
    await ipa.stop();
    rk.close();
  }
}, 60_000);
