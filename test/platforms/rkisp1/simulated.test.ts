/**
 * The simulated rkisp1 (platforms/rkisp1/simulated): the driver's topology and formats, STREAMON's
 * checks, frame start events and sequence numbers across nodes, statistics checked against means
 * computed here from the scene's own raw frame, parameters applied, the sensor's delays, and the
 * real rkisp1 IPA closing its loop on it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IMX219_LINE_LENGTH, IMX219_PIXEL_RATE, Imx219Cid, imx219Gain, SimulatedRkISP1 } from '../../../dist/platforms/rkisp1/simulated/index.js';
import { Scene } from '../../../dist/camera/simulated/scene.js';
import { DeviceError, LinkFlag, MbusCode, V4L2Cid } from '../../../dist/runtime/v4l2/index.js';
import {
  AwbMode, BlockFlag, BlockType, ExtParamsBuilder, HistogramMode, IspVersion, LEGACY_PARAMS_SIZE, LegacyParamsBuilder, readStats,
  Stat, V4L2_META_FMT_RK_ISP1_EXT_PARAMS, V4L2_META_FMT_RK_ISP1_PARAMS, V4L2_META_FMT_RK_ISP1_STAT_3A,
} from '../../../dist/platforms/rkisp1/uapi.js';
import { zeroConfig } from '../../../dist/platforms/rkisp1/ipa/params.js';
import { configure, Harness, NV12, simulated, YUYV } from './simulated-support';

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.stop();
});

function harness(rk: SimulatedRkISP1, devices = configure(rk)): Harness {
  const h = new Harness(rk, devices);
  open.push(h);
  return h;
}

const FULL = { h_offs: 0, v_offs: 0, h_size: 640, v_size: 480 };
const LINE_US = (IMX219_LINE_LENGTH / IMX219_PIXEL_RATE) * 1e6;

/** Measurements over the whole 640x480 frame, RGB-mode AWB, black level 64 (256 at 12 bits) subtracted, unit gains. */
function measureAll(b: ExtParamsBuilder, gains = { r: 256, g: 256, b: 256 }, aeWindow = FULL): ExtParamsBuilder {
  const awb = zeroConfig(BlockType.AWB_MEAS);
  Object.assign(awb, { awb_wnd: FULL, awb_mode: AwbMode.RGB, awb_ref_cr: 255, min_y: 255, awb_ref_cb: 255 });
  const aec = { mode: 1, autostop: 0, meas_window: aeWindow };
  const hst = zeroConfig(BlockType.HST_MEAS);
  Object.assign(hst, { mode: HistogramMode.RGB_COMBINED, histogram_predivider: 4, meas_window: FULL });
  hst.hist_weight.fill(1, 0, 25);
  const bls = zeroConfig(BlockType.BLS);
  bls.fixed_val = { r: 256, gr: 256, gb: 256, b: 256 };
  return b.add(BlockType.AWB_MEAS, awb, BlockFlag.ENABLE).add(BlockType.AEC_MEAS, aec, BlockFlag.ENABLE).add(BlockType.HST_MEAS, hst, BlockFlag.ENABLE)
    .add(BlockType.BLS, bls, BlockFlag.ENABLE)
    .add(BlockType.AWB_GAIN, { gain_red: gains.r, gain_green_r: gains.g, gain_blue: gains.b, gain_green_b: gains.g }, BlockFlag.ENABLE);
}

const ext = (fill: (b: ExtParamsBuilder) => ExtParamsBuilder) => (memory: Uint8Array) => fill(new ExtParamsBuilder(memory)).bytesused;

/**
 * The means by hand: Scene.render's raw frame (the sensor's record), the top-left 2x2 quad of each
 * 4x4 block (the simulation's processing grid at 640x480) demosaiced to R, mean G, B after black
 * level and gains at 12 bits, then 8 bits; averaged over the frame.
 */
function expectedMeans(scene: Scene, exposureTimeUs: number, gain: number, gains = { r: 256, g: 256, b: 256 }) {
  const raw = scene.render({ width: 640, height: 480, bayerOrder: 'RGGB', bitDepth: 10, blackLevel: 64 }, { exposureTimeUs, analogueGain: gain });
  const at = (v: number, g: number) => Math.min(4095, (g * Math.max(0, v * 4 - 256) + 128) >> 8);
  const sums = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < 480; y += 4) {
    for (let x = 0; x < 640; x += 4) {
      const i = y * 640 + x;
      sums[0] += at(raw[i]!, gains.r) >> 4;
      sums[1] += (at(raw[i + 1]!, gains.g) + at(raw[i + 640]!, gains.g) + 1) >> 5;
      sums[2] += at(raw[i + 641]!, gains.b) >> 4;
      n++;
    }
  }
  const [r, g, b] = sums.map((s) => s / n) as [number, number, number];
  return { r, g, b };
}

/** The ISP's 8-bit RGB of the top-left quad (the white stripe), by hand from Scene.render. */
function firstQuad(scene: Scene, exposureTimeUs: number, gains = { r: 256, g: 256, b: 256 }) {
  const raw = scene.render({ width: 640, height: 480, bayerOrder: 'RGGB', bitDepth: 10, blackLevel: 64 }, { exposureTimeUs, analogueGain: 1 });
  const at = (v: number, g: number) => Math.min(4095, (g * Math.max(0, v * 4 - 256) + 128) >> 8);
  return { r: at(raw[0]!, gains.r) >> 4, g: (at(raw[1]!, gains.g) + at(raw[640]!, gains.g) + 1) >> 5, b: at(raw[641]!, gains.b) >> 4 };
}

describe('the simulated rkisp1', () => {
  it("has the driver's entities, links, nodes and formats, and says it is simulated", () => {
    const rk = new SimulatedRkISP1();
    expect(rk.simulated).toBe(true);
    expect(rk.info).toMatchObject({ driver: 'rkisp1', hwRevision: IspVersion.V10 });
    expect(rk.info.model).toContain('simulated');
    expect(rk.entities().map((e) => [e.name, e.pads.length])).toEqual([
      ['rkisp1_isp', 4], ['rkisp1_resizer_mainpath', 2], ['rkisp1_resizer_selfpath', 2], ['rkisp1_mainpath', 1], ['rkisp1_selfpath', 1],
      ['rkisp1_stats', 1], ['rkisp1_params', 1], ['rkisp1_csi', 2], ['imx219 1-0010', 1],
    ]);
    expect(rk.entity('rkisp1_isp').pads.map((p) => p.flags)).toEqual([1, 1, 2, 2]);
    const links = rk.links().map((l) => `${l.source.entity}:${l.source.pad}->${l.sink.entity}:${l.sink.pad}${l.enabled ? ' on' : ''}${l.immutable ? ' fixed' : ''}`);
    expect(links).toEqual([
      'rkisp1_csi:1->rkisp1_isp:0 on', 'rkisp1_isp:2->rkisp1_resizer_mainpath:0 on', 'rkisp1_resizer_mainpath:1->rkisp1_mainpath:0 on fixed',
      'rkisp1_isp:2->rkisp1_resizer_selfpath:0 on', 'rkisp1_resizer_selfpath:1->rkisp1_selfpath:0 on fixed',
      'rkisp1_params:0->rkisp1_isp:1 on fixed', 'rkisp1_isp:3->rkisp1_stats:0 on fixed', 'imx219 1-0010:0->rkisp1_csi:0 on',
    ]);
    expect(() => rk.setLink('rkisp1_isp', 3, 'rkisp1_stats', 0, false)).toThrow('immutable link');
    expect(rk.entity('rkisp1_mainpath').devnode).toBe('simulated:/dev/video3');
    expect(['rkisp1_mainpath', 'rkisp1_selfpath', 'rkisp1_stats', 'rkisp1_params'].map((n) => rk.openVideoDevice(n).kind)).toEqual(['capture', 'capture', 'meta-capture', 'meta-output']);

    const stats = rk.openVideoDevice('rkisp1_stats');
    expect(stats.metaFormat()).toEqual({ dataFormat: V4L2_META_FMT_RK_ISP1_STAT_3A, bufferSize: 260 });
    const params = rk.openVideoDevice('rkisp1_params');
    expect(params.metaFormat()).toEqual({ dataFormat: V4L2_META_FMT_RK_ISP1_PARAMS, bufferSize: LEGACY_PARAMS_SIZE });
    expect(params.setMetaFormat(V4L2_META_FMT_RK_ISP1_EXT_PARAMS)).toEqual({ dataFormat: V4L2_META_FMT_RK_ISP1_EXT_PARAMS, bufferSize: 4512 });
    expect(params.setMetaFormat(0x12345678).dataFormat).toBe(V4L2_META_FMT_RK_ISP1_PARAMS);
    expect(params.getControls([0x00981b21])).toEqual([0x11ffff]);
    expect(() => rk.openVideoDevice('rkisp1_mainpath').metaFormat()).toThrow(DeviceError);
    const main = rk.openVideoDevice('rkisp1_mainpath');
    expect(main.pixelFormats().map((f) => f.description)).toContain('Y/UV 4:2:0');
    expect(main.setFormat({ width: 641, height: 480, pixelFormat: NV12 }).planes).toEqual([{ bytesPerLine: 640, size: 640 * 480 * 1.5 }]);

    expect(() => stats.format()).toThrow(/its format is metaFormat/);
    stats.allocateBuffers(1);
    expect(() => stats.queueBuffer(0, 10)).toThrow(RangeError);
    params.allocateBuffers(2);
    expect(() => params.queueBuffer(0, 5000)).toThrow(/holds 3048 bytes/);
    expect(() => rk.openSubdevice('rkisp1_isp').onFrameStart('start' as never)).toThrow(TypeError);
    expect(() => rk.openSubdevice('rkisp1_isp').onFrameStart(() => {})).not.toThrow();
    expect(() => rk.openSubdevice('rkisp1_csi').onFrameStart(() => {})).toThrow(/no frame start events/);
    rk.close();
  });

  it("shows the IMX219's modes, codes and controls as its driver does", () => {
    const rk = new SimulatedRkISP1();
    const sensor = rk.openSubdevice('imx219 1-0010');
    expect(sensor.format(0)).toMatchObject({ code: MbusCode.SRGGB10_1X10, width: 3280, height: 2464 });
    expect(sensor.setFormat(0, { code: MbusCode.SRGGB8_1X8, width: 700, height: 500 })).toMatchObject({ code: MbusCode.SRGGB8_1X8, width: 640, height: 480 });
    expect(sensor.crop(0)).toEqual({ left: 1008, top: 760, width: 1280, height: 960 });
    const range = (id: number) => sensor.controls().find((c) => c.id === id)!;
    expect([range(Imx219Cid.Exposure).minimum, range(Imx219Cid.Exposure).maximum]).toEqual([4n, 1759n]);
    expect([range(Imx219Cid.AnalogueGain).minimum, range(Imx219Cid.AnalogueGain).maximum]).toEqual([0n, 232n]);
    expect(range(Imx219Cid.VBlank).defaultValue).toBe(1763n - 480n);
    expect(range(Imx219Cid.HBlank).defaultValue).toBe(BigInt(IMX219_LINE_LENGTH - 640));
    expect(range(Imx219Cid.PixelRate).defaultValue).toBe(BigInt(IMX219_PIXEL_RATE));
    sensor.setControls([[Imx219Cid.VBlank, 2000]]);
    expect(range(Imx219Cid.Exposure).maximum).toBe(2476n);
    expect(sensor.setControls([[Imx219Cid.Exposure, 99999]])).toEqual([2476]);
    expect(() => sensor.setControls([[Imx219Cid.PixelRate, 1]])).toThrow(/read-only/);
    expect(() => sensor.setControls([[Imx219Cid.VBlank, 100], [Imx219Cid.TestPattern, 9]])).toThrow(/Invalid argument/);
    expect(sensor.getControls([Imx219Cid.VBlank])).toEqual([2000]);
    expect(range(Imx219Cid.Exposure).maximum).toBe(2476n);
    sensor.setControls([[V4L2Cid.HFlip, 1]]);
    expect(sensor.mbusCodes(0)).toEqual([MbusCode.SGRBG10_1X10, MbusCode.SGRBG8_1X8]);
    expect(imx219Gain(232)).toBeCloseTo(256 / 24);
    rk.close();
  });

  it('refuses STREAMON with EPIPE when formats or links disagree', () => {
    const rk = new SimulatedRkISP1();
    const devices = configure(rk);
    devices.resizer.setFormat(1, { code: MbusCode.YUYV8_2X8, width: 640, height: 480 });
    devices.main.allocateBuffers(2);
    const epipe = (fn: () => void, what: RegExp) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(DeviceError);
        expect((error as DeviceError).code).toBe('EPIPE');
        expect((error as Error).message).toMatch(what);
        return;
      }
      throw new Error('STREAMON did not fail');
    };
    devices.main.queueBuffer(0);
    epipe(() => devices.main.streamOn(), /rkisp1_resizer_mainpath':1 -> 'rkisp1_mainpath' disagree/);
    devices.main.streamOff();
    devices.main.releaseBuffers();
    const ok = configure(rk);
    rk.setLink('imx219 1-0010', 0, 'rkisp1_csi', 0, false);
    ok.main.allocateBuffers(2);
    ok.main.queueBuffer(0);
    epipe(() => ok.main.streamOn(), /'rkisp1_csi' is not fed by 'imx219 1-0010'/);
    const self = rk.openVideoDevice('rkisp1_selfpath');
    self.allocateBuffers(1);
    expect(() => self.streamOn()).toThrow(/not simulated/);
    rk.close();
  });

  it('starts each frame with a frame start event; every node returns the frame with the same sequence', async () => {
    const h = harness(simulated());
    h.queueParams(ext((b) => measureAll(b)));
    h.queueParams(ext((b) => b));
    h.start();
    await h.until(() => h.frames.get(5)?.picture !== undefined, 'frame 5');
    expect(h.frameStarts.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h.paramsDone.map((b) => b.sequence)).toEqual([0, 1]);
    expect(h.order.slice(0, 6)).toEqual(['params 0', 'start 0', 'stats 0', 'main 0', 'params 1', 'start 1']);
    for (let s = 0; s <= 5; s++) {
      const stats = readStats(h.frames.get(s)!.stats!, IspVersion.V10);
      expect(stats.frameId).toBe(s);
      expect(stats.measType).toBe(Stat.AWB | Stat.AUTOEXP | Stat.HIST);
    }
  });

  it('measures a grey chart under a coloured illuminant: AWB means in its ratio, AE means twice as high for twice the exposure', async () => {
    const sceneOptions = { brightness: 50, illuminant: { r: 1.3, g: 1, b: 0.6 } };
    const rk = simulated({ scene: sceneOptions });
    const devices = configure(rk);
    devices.sensor.setControls([[Imx219Cid.Exposure, 300], [Imx219Cid.AnalogueGain, 0]]);
    const h = harness(rk, devices);
    h.queueParams(ext((b) => measureAll(b)));
    h.start();
    const first = readStats(await h.stats(2), IspVersion.V10);
    const lineUs = (IMX219_LINE_LENGTH / IMX219_PIXEL_RATE) * 1e6;
    const want = expectedMeans(new Scene(sceneOptions), 300 * lineUs, 1);
    expect(first.awb.cnt).toBe(640 * 480);
    expect(first.awb.mean_cr_or_r).toBe(Math.round(want.r));
    expect(first.awb.mean_y_or_g).toBe(Math.round(want.g));
    expect(first.awb.mean_cb_or_b).toBe(Math.round(want.b));
    expect(first.awb.mean_cr_or_r / first.awb.mean_y_or_g).toBeCloseTo(1.3, 1);
    expect(first.awb.mean_cb_or_b / first.awb.mean_y_or_g).toBeCloseTo(0.6, 1);
    const histogramTotal = first.histogramBins.reduce((a, b) => a + b, 0) / 16;
    expect(histogramTotal).toBeCloseTo((640 * 480 * 3) / 16, 0);

    devices.sensor.setControls([[Imx219Cid.Exposure, 600]]);
    const from = h.frameStarts.length;
    const doubled = readStats(await h.stats(from + 3), IspVersion.V10);
    first.aeMeans.forEach((m, i) => expect(Math.abs(doubled.aeMeans[i]! - 2 * m), `cell ${i}`).toBeLessThanOrEqual(2));
    expect(doubled.awb.mean_y_or_g).toBe(Math.round(expectedMeans(new Scene(sceneOptions), 600 * lineUs, 1).g));
  });

  it('applies parameters as the hardware would: white balance gains before AWB, the AE window, the legacy format, and refuses a malformed buffer', async () => {
    const sceneOptions = { brightness: 50, illuminant: { r: 1, g: 1, b: 0.5 } };
    const rk = simulated({ scene: sceneOptions });
    const devices = configure(rk, undefined, YUYV);
    devices.sensor.setControls([[Imx219Cid.Exposure, 400]]);
    const h = harness(rk, devices);
    h.queueParams(ext((b) => measureAll(b)));
    h.start();
    const before = readStats(await h.stats(1), IspVersion.V10);
    const chroma = (picture: Uint8Array) => picture[1]!; // Cb of the first (whitest) stripe
    expect(chroma(h.frames.get(1)!.picture!)).toBeLessThan(120);

    h.queueParams(ext((b) => measureAll(b, { r: 256, g: 256, b: 512 }, { h_offs: 0, v_offs: 0, h_size: 100, v_size: 480 })));
    await h.until(() => h.paramsDone.length === 2, 'the gains applied');
    const at = h.paramsDone[1]!.sequence;
    const after = readStats(await h.stats(at), IspVersion.V10);
    expect(after.awb.mean_cb_or_b).toBeGreaterThanOrEqual(2 * before.awb.mean_cb_or_b - 1);
    expect(after.awb.mean_y_or_g).toBe(before.awb.mean_y_or_g);
    await h.until(() => h.frames.get(at)?.picture !== undefined, 'the balanced picture');
    expect(Math.abs(chroma(h.frames.get(at)!.picture!) - 128)).toBeLessThanOrEqual(2);
    // A 100-pixel-wide window on the white stripe: every block sees white, (R + G + B) × 85/256 of it.
    const white = firstQuad(new Scene(sceneOptions), 400 * LINE_US, { r: 256, g: 256, b: 512 });
    expect(after.aeMeans).toEqual(new Array(25).fill(((white.r + white.g + white.b) * 85) >> 8));
    expect(new Set(before.aeMeans.slice(0, 5)).size).toBe(5);

    expect(() => h.queueParams((memory) => new ExtParamsBuilder(memory).bytesused + 4)).toThrow(/VIDIOC_QBUF: Invalid argument \(rkisp1 extensible parameters: data-size-mismatch/);
  });

  it('draws the main path picture: limited-range BT.601 luma of the demosaiced quads, scaled from the sensor frame', async () => {
    const sceneOptions = { brightness: 50, illuminant: { r: 1, g: 1, b: 1 } };
    const rk = simulated({ scene: sceneOptions });
    const devices = configure(rk, undefined, NV12, { width: 320, height: 240 });
    devices.sensor.setControls([[Imx219Cid.Exposure, 500]]);
    const h = harness(rk, devices);
    h.queueParams(ext((b) => measureAll(b)));
    h.start();
    await h.until(() => h.frames.get(2)?.picture !== undefined, 'frame 2');
    const picture = h.frames.get(2)!.picture!;
    expect(picture.length).toBe(320 * 240 * 1.5);
    const white = firstQuad(new Scene(sceneOptions), 500 * LINE_US);
    expect(picture[0]).toBe(Math.round(16 + 0.257 * white.r + 0.504 * white.g + 0.098 * white.b));
    const row = Array.from(picture.subarray(0, 320));
    const stripes = [0, 1, 2, 3, 4, 5].map((k) => row[Math.floor((k + 0.5) * 320 / 6)]!);
    expect(stripes).toEqual([...stripes].sort((a, b) => b - a));
    expect(stripes[0]! - stripes[5]!).toBeGreaterThan(50);
    expect(picture[320 * 240]).toBe(128); // neutral chroma
  });

  it('takes the legacy parameters format, and disables a measurement it clears', async () => {
    const rk = simulated();
    const devices = configure(rk, undefined, NV12, undefined, V4L2_META_FMT_RK_ISP1_PARAMS);
    const h = harness(rk, devices);
    h.queueParams((memory) => new LegacyParamsBuilder(memory).setEnabled(BlockType.HST_MEAS, false).set(BlockType.AWB_GAIN, { gain_red: 300, gain_green_r: 256, gain_blue: 256, gain_green_b: 256 }, true).bytesused);
    h.queueParams((memory) => {
      const b = new LegacyParamsBuilder(memory);
      b.set(BlockType.HST_MEAS, zeroConfig(BlockType.HST_MEAS), false);
      return b.bytesused;
    });
    expect(() => devices.params.queueBuffer(2, 100)).toThrow(/Invalid argument/);
    h.start();
    await h.stats(1);
    expect(rk.ispConfig.awbGain).toMatchObject({ enabled: true, config: { gain_red: 300 } });
    expect(readStats(h.frames.get(1)!.stats!, IspVersion.V10).measType & Stat.HIST).toBe(0);
  });

  it('makes a frame with the exposure written two frames before and the gain written one frame before', async () => {
    const rk = simulated();
    const devices = configure(rk);
    devices.sensor.setControls([[Imx219Cid.Exposure, 200], [Imx219Cid.AnalogueGain, 0]]);
    const h = harness(rk, devices);
    h.queueParams(ext((b) => measureAll(b)));
    devices.isp.onFrameStart((sequence) => {
      h.frameStarts.push(sequence);
      if (sequence === 3) devices.sensor.setControls([[Imx219Cid.Exposure, 400]]);
      if (sequence === 8) devices.sensor.setControls([[Imx219Cid.AnalogueGain, 128]]);
    });
    h.start();
    const g = async (s: number) => readStats(await h.stats(s), IspVersion.V10).awb.mean_y_or_g;
    const base = await g(3);
    expect(await g(4)).toBe(base);
    expect(Math.abs((await g(5)) - 2 * base)).toBeLessThanOrEqual(1);
    const doubled = await g(8);
    expect(Math.abs((await g(9)) - 2 * doubled)).toBeLessThanOrEqual(1);
  });
});
