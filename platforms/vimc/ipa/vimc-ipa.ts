import fs from 'node:fs';
import {
  controls, type ControlInfoMap, type ControlList, type EventSender, type Flags, type IPABuffer,
  type IPACameraSensorInfo, type IPAImplementation, type IPASettings, type IPAStream, type SharedFD, type u32,
} from '../../../runtime';
// The constants alone: an IPA opens no device, and its worker need not load the device code.
import { V4L2Cid } from '../../../runtime/v4l2/constants';
import { MappedBuffers } from '../../../ipa/mapped-buffers';
import { IPAOperationCode, type IPAVimcInterface, TestFlag } from '../contract';
import { PARAMS_BUFFER_ID, writeParams, type FrameParams } from '../params';

/**
 * The statistics grid: a fixed number of samples whatever the frame size, so that measuring costs
 * a few microseconds on the way to paramsComputed.
 */
const STATS_GRID = { columns: 32, rows: 24 };

/**
 * The vimc IPA. As libcamera's, it traces its operations into the fd it gets at init and answers
 * computeParams with paramsComputed. It also does a vimc IPA's real work: it turns each request's
 * Brightness, Contrast and Saturation into the sensor's V4L2 values (as libcamera's vimc pipeline
 * does by hand), and measures the mean colour of the capture buffer the frame will go into, from
 * the dmabuf it mapped.
 */
export class VimcIPA implements IPAImplementation<IPAVimcInterface> {
  private trace: SharedFD | undefined;
  private readonly requests = new Map<number, ControlList>();
  private readonly buffers = new MappedBuffers();
  private stream: { width: number; height: number; stride: number } | undefined;
  private sensor = { brightness: 128, contrast: 128, saturation: 128 };

  constructor(private readonly events: EventSender<IPAVimcInterface>) {}

  init(settings: IPASettings, traceFd: SharedFD, code: IPAOperationCode, inFlags: Flags<TestFlag>) {
    if (traceFd.isValid) this.trace = traceFd.dup();
    this.record(IPAOperationCode.IPAOperationInit);
    void code;
    // As libcamera's: a configuration file that is named must be readable.
    if (settings.configurationFile) {
      try {
        fs.accessSync(settings.configurationFile, fs.constants.R_OK);
      } catch {
        return { ret: -22, outFlags: TestFlag.Flag1 };
      }
    }
    // As libcamera's vimc IPA: Flag1 set in outFlags, whatever came in.
    void inFlags;
    return { ret: 0, outFlags: TestFlag.Flag1 };
  }

  configure(sensorInfo: IPACameraSensorInfo, streamConfig: Map<u32, IPAStream>, entityControls: Map<u32, ControlInfoMap>) {
    const stream = streamConfig.get(0);
    if (!stream) return -22;
    this.stream = { width: stream.size.width, height: stream.size.height, stride: stream.size.width * 3 };
    const sensorControls = entityControls.get(0);
    const initial = (cid: number, fallback: number) => Number(sensorControls?.get(cid)?.def.value ?? fallback);
    this.sensor = {
      brightness: initial(V4L2Cid.Brightness, 128),
      contrast: initial(V4L2Cid.Contrast, 128),
      saturation: initial(V4L2Cid.Saturation, 128),
    };
    void sensorInfo;
    return 0;
  }

  start() {
    this.record(IPAOperationCode.IPAOperationStart);
    return 0;
  }

  stop() {
    this.record(IPAOperationCode.IPAOperationStop);
    this.requests.clear();
  }

  mapBuffers(buffers: IPABuffer[]) {
    this.buffers.map(buffers);
  }

  unmapBuffers(ids: u32[]) {
    this.buffers.unmap(ids);
  }

  queueRequest(frame: u32, list: ControlList) {
    this.requests.set(frame, list);
  }

  computeParams(frame: u32, bufferId: u32) {
    const list = this.requests.get(frame);
    this.requests.delete(frame);
    // As libcamera's vimc IPA: a buffer it was never given gets no parameters, and no event.
    if (!this.buffers.has(bufferId)) return;
    const set = (key: 'brightness' | 'contrast' | 'saturation', value: number) => {
      const clamped = Math.max(0, Math.min(255, Math.round(value)));
      this.sensor[key] = clamped;
    };
    const brightness = list?.get(controls.Brightness);
    const contrast = list?.get(controls.Contrast);
    const saturation = list?.get(controls.Saturation);
    if (typeof brightness === 'number') set('brightness', brightness * 128 + 128);
    if (typeof contrast === 'number') set('contrast', contrast * 128);
    if (typeof saturation === 'number') set('saturation', saturation * 128);
    const params: FrameParams = { frame, ...this.sensor, previousMean: this.meanOf(bufferId) };
    const paramsBuffer = this.buffers.get(PARAMS_BUFFER_ID);
    if (paramsBuffer) writeParams(paramsBuffer, bufferId, params);
    // libcamera's vimc IPA sends no flags with paramsComputed; the pipeline reads the parameters.
    this.events.paramsComputed(bufferId, 0);
  }

  /** The mean R, G, B of a capture buffer, sampled on a grid; undefined while it holds nothing. */
  private meanOf(bufferId: number): [number, number, number] | undefined {
    const pixels = this.buffers.get(bufferId);
    const s = this.stream;
    if (!pixels || !s) return undefined;
    let r = 0;
    let g = 0;
    let b = 0;
    let n = 0;
    let any = false;
    for (let row = 0; row < STATS_GRID.rows; row++) {
      const y = Math.floor(((row + 0.5) * s.height) / STATS_GRID.rows);
      for (let column = 0; column < STATS_GRID.columns; column++) {
        const at = y * s.stride + Math.floor(((column + 0.5) * s.width) / STATS_GRID.columns) * 3;
        if (at + 2 >= pixels.length) break;
        r += pixels[at]!;
        g += pixels[at + 1]!;
        b += pixels[at + 2]!;
        any ||= pixels[at]! !== 0 || pixels[at + 1]! !== 0 || pixels[at + 2]! !== 0;
        n++;
      }
    }
    return any && n > 0 ? [r / n, g / n, b / n] : undefined;
  }

  /** libcamera's trace: the operation code as a 4-byte enum, appended to the trace fd. */
  private record(code: IPAOperationCode): void {
    if (!this.trace) return;
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(code);
    fs.writeSync(this.trace.fd, bytes);
  }
}
