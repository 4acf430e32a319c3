import { describe, expect, it } from 'vitest';
import { COLORBAR_75, barCentres } from './platforms/vimc-support';
import { SimulatedVimc } from '../dist/platforms/vimc/simulated/graph.js';
import { matchesVimc } from '../dist/platforms/vimc/match.js';
import { DeviceError, fourcc, MbusCode, V4L2Cid, type DequeuedBuffer } from '../dist/runtime/v4l2/index.js';

/** Formats for one consistent Sensor B -> Debayer B -> Scaler -> capture pipeline. */
function configure(vimc: SimulatedVimc, width: number, height: number, out = { width, height }) {
  vimc.disableLinks();
  vimc.setLink('Debayer B', 1, 'Scaler', 0, true);
  const sensor = vimc.openSubdevice('Sensor B');
  sensor.setFormat(0, { code: MbusCode.SGRBG8_1X8, width, height });
  vimc.openSubdevice('Debayer B').setFormat(0, { code: MbusCode.SGRBG8_1X8, width, height });
  vimc.openSubdevice('Debayer B').setFormat(1, { code: MbusCode.RGB888_1X24, width, height });
  const scaler = vimc.openSubdevice('Scaler');
  scaler.setFormat(0, { code: MbusCode.RGB888_1X24, width, height });
  scaler.setFormat(1, { code: MbusCode.RGB888_1X24, ...out });
  vimc.openVideoDevice('Raw Capture 1').setFormat({ width, height, pixelFormat: fourcc('GRBG') });
  const video = vimc.openVideoDevice('RGB/YUV Capture');
  video.setFormat({ ...out, pixelFormat: fourcc('RGB3') });
  return { sensor, scaler, video };
}

describe('the simulated vimc', () => {
  it('has the real driver\'s entities, devices and links, and says it is simulated', () => {
    const vimc = new SimulatedVimc();
    expect(vimc.simulated).toBe(true);
    expect(vimc.info.model).toContain('simulated');
    expect(vimc.entities().map((e) => e.name)).toEqual([
      'Sensor A', 'Sensor B', 'Debayer A', 'Debayer B', 'Raw Capture 0', 'Raw Capture 1', 'RGB/YUV Input', 'Scaler', 'RGB/YUV Capture', 'Lens A', 'Lens B',
    ]);
    expect(vimc.entity('RGB/YUV Capture').devnode).toBe('simulated:/dev/video2');
    expect(vimc.links().filter((l) => l.enabled).map((l) => `${l.source.entity}->${l.sink.entity}`)).toEqual([
      'Sensor A->Debayer A', 'Sensor A->Raw Capture 0', 'Sensor B->Debayer B', 'Sensor B->Raw Capture 1', 'Debayer A->Scaler', 'Scaler->RGB/YUV Capture',
    ]);
    expect(() => vimc.setLink('Sensor A', 0, 'Debayer A', 0, false)).toThrow('immutable link');
    expect(() => vimc.entity('Sensor C')).toThrow("no entity 'Sensor C'");
    expect(matchesVimc(vimc)).toBe(true);
  });

  it('adjusts pad formats as the driver does: bounds, even sizes, codes per pad, sink to source', () => {
    const vimc = new SimulatedVimc();
    const debayer = vimc.openSubdevice('Debayer A');
    expect(debayer.setFormat(0, { code: MbusCode.RGB888_1X24, width: 5001, height: 9 })).toMatchObject({ code: MbusCode.SRGGB8_1X8, width: 4096, height: 16 });
    expect(debayer.format(1)).toMatchObject({ width: 4096, height: 16 });
    const scaler = vimc.openSubdevice('Scaler');
    scaler.setFormat(0, { code: MbusCode.BGR888_1X24, width: 641, height: 480 });
    expect(scaler.format(1)).toMatchObject({ code: MbusCode.BGR888_1X24, width: 640 });
    expect(scaler.setFormat(1, { code: MbusCode.RGB888_1X24, width: 320, height: 240 })).toMatchObject({ code: MbusCode.BGR888_1X24, width: 320, height: 240 });
    expect(scaler.crop(0)).toEqual({ left: 0, top: 0, width: 640, height: 480 });
    expect(() => vimc.openSubdevice('Sensor A').crop(0)).toThrow('Inappropriate ioctl for device');
  });

  it('checks controls as the kernel does: integers clamped, unknown menu items and ids refused', () => {
    const sensor = new SimulatedVimc().openSubdevice('Sensor B');
    expect(sensor.setControls([[V4L2Cid.Brightness, 300]])).toEqual([255]);
    expect(sensor.getControls([V4L2Cid.Brightness])).toEqual([255]);
    expect(() => sensor.setControls([[V4L2Cid.VimcTestPattern, 17]])).toThrow(DeviceError);
    expect(() => sensor.getControls([0x00989999])).toThrow('control 0x00989999');
  });

  it('refuses to stream a pipeline whose pads disagree (EPIPE, naming the link)', () => {
    const vimc = new SimulatedVimc();
    const { video } = configure(vimc, 640, 480);
    video.setFormat({ width: 320, height: 240, pixelFormat: fourcc('RGB3') });
    const buffers = video.allocateBuffers(2);
    video.streamOn(); // the driver checks the pipeline once two buffers are queued
    video.queueBuffer(buffers[0]!.index);
    try {
      video.queueBuffer(buffers[1]!.index);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('EPIPE');
      expect((error as DeviceError).syscall).toBe('VIDIOC_QBUF');
      expect((error as DeviceError).message).toContain("'Scaler':1 -> 'RGB/YUV Capture' disagree");
    }
    vimc.close();
  });

  it('renders the 75% colour bars, scaled and flipped as the sensor and scaler say, at the frame rate asked for', async () => {
    const vimc = new SimulatedVimc({ frameRate: 100 });
    const { sensor, video } = configure(vimc, 320, 240, { width: 640, height: 480 });
    sensor.setControls([[V4L2Cid.HFlip, 1]]);
    const buffers = video.allocateBuffers(3);
    const done: DequeuedBuffer[] = [];
    const bars: number[][][][] = [];
    video.onBuffer((b) => {
      done.push(b);
      bars.push(barCentres({ data: buffers[b.index]!.memory, width: 640, height: 480, stride: 1920, pixelFormat: 'BGR888' }));
      if (done.length < 20) video.queueBuffer(b.index);
    });
    for (const b of buffers) video.queueBuffer(b.index);
    video.streamOn();
    await new Promise<void>((resolve) => { const check = () => (done.length >= 20 ? resolve() : setTimeout(check, 5)); check(); });
    video.streamOff();
    expect(done.map((b) => b.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const frame of bars) for (const row of frame) expect(row).toEqual([...COLORBAR_75].reverse());
    const intervals = done.slice(1).map((b, i) => Number(b.timestamp - done[i]!.timestamp) / 1e6).sort((a, b) => a - b);
    // Paced by the frame rate, not by how fast buffers come back: the median interval is 10 ms
    // (more on a loaded machine, never less).
    expect(intervals[intervals.length >> 1]).toBeGreaterThan(8);
    expect(intervals[intervals.length >> 1]).toBeLessThan(40);
    vimc.close();
  });

  it('counts the frames it had no buffer for, as a sensor running on would lose them', async () => {
    const vimc = new SimulatedVimc({ frameRate: 200 });
    const { video } = configure(vimc, 64, 48);
    const buffers = video.allocateBuffers(2);
    let delivered = 0;
    video.onBuffer(() => { delivered++; });
    for (const b of buffers) video.queueBuffer(b.index);
    video.streamOn();
    await new Promise((resolve) => setTimeout(resolve, 60));
    video.streamOff();
    expect(delivered).toBe(2);
    expect(vimc.frameCounters.missed).toBeGreaterThan(0);
    vimc.close();
  });
});
