/** Drives the simulated rkisp1 the way libcamera's rkisp1 pipeline configures and feeds it. */
import { SimulatedRkISP1, type SimulatedRkISP1Options } from '../../../dist/platforms/rkisp1/simulated/index.js';
import { fourcc, MbusCode, type DequeuedBuffer, type VideoBuffer, type VideoDevice } from '../../../dist/runtime/v4l2/index.js';
import { V4L2_META_FMT_RK_ISP1_EXT_PARAMS } from '../../../dist/platforms/rkisp1/uapi.js';

export const NV12 = fourcc('NV12');
export const YUYV = fourcc('YUYV');

/** libcamera's configure(): sensor, CSI, ISP sink (and crop), ISP source YUYV8_2X8, resizer, main path, meta formats. */
export function configure(rk: SimulatedRkISP1, size = { width: 640, height: 480 }, pixelFormat = NV12, out = size, paramFormat = V4L2_META_FMT_RK_ISP1_EXT_PARAMS) {
  const sensor = rk.openSubdevice('imx219 1-0010');
  const format = sensor.setFormat(0, { code: MbusCode.SRGGB10_1X10, ...size });
  const csi = rk.openSubdevice('rkisp1_csi');
  csi.setFormat(0, format);
  const ispIn = csi.format(1);
  const isp = rk.openSubdevice('rkisp1_isp');
  isp.setFormat(0, ispIn);
  isp.setCrop(0, { left: 0, top: 0, width: ispIn.width, height: ispIn.height });
  isp.setCrop(2, { left: 0, top: 0, width: ispIn.width, height: ispIn.height });
  const ispOut = isp.setFormat(2, { ...ispIn, code: MbusCode.YUYV8_2X8 });
  const resizer = rk.openSubdevice('rkisp1_resizer_mainpath');
  resizer.setFormat(0, ispOut);
  resizer.setCrop(0, { left: 0, top: 0, width: ispOut.width, height: ispOut.height });
  resizer.setFormat(1, { ...ispOut, ...out, code: pixelFormat === NV12 ? MbusCode.YUYV8_1_5X8 : MbusCode.YUYV8_2X8 });
  const main = rk.openVideoDevice('rkisp1_mainpath');
  main.setFormat({ ...out, pixelFormat });
  const params = rk.openVideoDevice('rkisp1_params');
  params.setMetaFormat(paramFormat);
  const stats = rk.openVideoDevice('rkisp1_stats');
  return { sensor, isp, resizer, main, params, stats };
}

export interface Frame {
  sequence: number;
  stats?: Uint8Array;
  picture?: Uint8Array;
}

/**
 * Buffers on every node, the events collected by sequence. `paramsFor(sequence)` writes a params
 * buffer (returning its bytesused) queued for the frames in order, or undefined to queue none.
 */
export class Harness {
  readonly frames = new Map<number, Frame>();
  readonly frameStarts: number[] = [];
  readonly paramsDone: DequeuedBuffer[] = [];
  readonly order: string[] = [];
  private readonly nodes;
  private paramBuffers: VideoBuffer[] = [];
  private freeParams: number[] = [];

  constructor(readonly rk: SimulatedRkISP1, readonly devices = configure(rk), count = 4) {
    this.nodes = devices;
    const main = devices.main.allocateBuffers(count);
    const stats = devices.stats.allocateBuffers(count);
    this.paramBuffers = devices.params.allocateBuffers(count);
    this.freeParams = this.paramBuffers.map((b) => b.index);
    devices.isp.onFrameStart((sequence) => {
      this.frameStarts.push(sequence);
      this.order.push(`start ${sequence}`);
    });
    const frame = (sequence: number) => this.frames.get(sequence) ?? this.frames.set(sequence, { sequence }).get(sequence)!;
    devices.stats.onBuffer((b) => {
      this.order.push(`stats ${b.sequence}`);
      frame(b.sequence).stats = stats[b.index]!.memory.slice(0, b.bytesUsed);
      devices.stats.queueBuffer(b.index);
    });
    devices.main.onBuffer((b) => {
      this.order.push(`main ${b.sequence}`);
      frame(b.sequence).picture = main[b.index]!.memory.slice(0, b.bytesUsed);
      devices.main.queueBuffer(b.index);
    });
    devices.params.onBuffer((b) => {
      this.order.push(`params ${b.sequence}`);
      this.paramsDone.push(b);
      this.freeParams.push(b.index);
    });
    for (const b of stats) devices.stats.queueBuffer(b.index);
    for (const b of main) devices.main.queueBuffer(b.index);
  }

  /** Queues a parameters buffer filled by `fill` (which returns bytesused). */
  queueParams(fill: (memory: Uint8Array) => number): void {
    const index = this.freeParams.shift();
    if (index === undefined) throw new Error('no free parameters buffer');
    const memory = this.paramBuffers[index]!.memory;
    memory.fill(0);
    this.nodes.params.queueBuffer(index, fill(memory));
  }

  start(): void {
    this.nodes.params.streamOn();
    this.nodes.stats.streamOn();
    this.nodes.main.streamOn();
  }

  async until(done: () => boolean, what: string, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!done()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Waits for the statistics of frame `sequence`. */
  async stats(sequence: number): Promise<Uint8Array> {
    await this.until(() => this.frames.get(sequence)?.stats !== undefined, `the statistics of frame ${sequence}`);
    return this.frames.get(sequence)!.stats!;
  }

  stop(): void {
    for (const node of [this.nodes.main, this.nodes.stats, this.nodes.params] as VideoDevice[]) node.streamOff();
    this.rk.close();
  }
}

export function simulated(options: SimulatedRkISP1Options = {}): SimulatedRkISP1 {
  return new SimulatedRkISP1({ frameRate: 120, ...options });
}
