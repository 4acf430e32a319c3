/**
 * A vimc IPA for the isolation tests: it records each operation into the trace fd it got at init
 * (a duplicate it keeps), writes a pattern into the buffers it maps, and answers computeParams
 * with paramsComputed, its flags derived from the frame's controls.
 */
import fs from 'node:fs';
import {
  controls, defineIPA, SharedMemory, type ControlInfoMap, type ControlList, type EventSender,
  type Flags, type IPABuffer, type IPACameraSensorInfo, type IPAImplementation, type IPASettings, type IPAStream,
  type SharedFD, type u32,
} from '../../runtime';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from '../../platforms/vimc/contract';

class TestVimcIPA implements IPAImplementation<IPAVimcInterface> {
  private trace: SharedFD | undefined;
  private readonly requests = new Map<number, ControlList>();
  private readonly mapped = new Map<number, Uint8Array[]>();

  constructor(private readonly events: EventSender<IPAVimcInterface>) {}

  /** Appends an operation code to the trace file. */
  private record(code: IPAOperationCode): void {
    if (!this.trace) return;
    fs.writeSync(this.trace.fd, Buffer.from([code]), 0, 1, fs.fstatSync(this.trace.fd).size);
  }

  init(settings: IPASettings, traceFd: SharedFD, code: IPAOperationCode, inFlags: Flags<TestFlag>) {
    this.trace = traceFd.dup();
    // The pipeline handler put a magic byte first: reading it proves the fd reached the IPA.
    const first = Buffer.alloc(1);
    const magic = fs.readSync(this.trace.fd, first, 0, 1, 0) === 1 && first[0] === 0x5a;
    this.record(code);
    return { ret: !magic ? -5 : settings.sensorModel === 'sensor' ? 0 : -22, outFlags: inFlags | TestFlag.Flag4 };
  }

  configure(sensorInfo: IPACameraSensorInfo, streamConfig: Map<u32, IPAStream>, entityControls: Map<u32, ControlInfoMap>) {
    // A sensor called 'hang' makes a hung IPA, for the tests of calls in flight.
    if (sensorInfo.model === 'hang') return new Promise<number>(() => {});
    const stream = streamConfig.get(0);
    const exposure = entityControls.get(1)?.get(controls.ExposureTime);
    // An answer that depends on every argument, so that the test sees they all arrived.
    return (stream?.size.width ?? 0) + sensorInfo.outputSize.height + Number(exposure?.max.value ?? 0);
  }

  start() {
    this.record(IPAOperationCode.IPAOperationStart);
    return 0;
  }

  stop() {
    this.record(IPAOperationCode.IPAOperationStop);
    this.trace?.close();
    this.trace = undefined;
  }

  mapBuffers(buffers: IPABuffer[]) {
    for (const buffer of buffers) {
      const views = buffer.planes.map((plane) => {
        const memory = SharedMemory.fromFd(plane.fd.dup().fd);
        const view = new Uint8Array(memory.map(plane.offset, plane.length));
        memory.close(); // the mapping stays
        view.fill(buffer.id);
        return view;
      });
      this.mapped.set(buffer.id, views);
    }
  }

  unmapBuffers(ids: u32[]) {
    for (const id of ids) {
      // A buffer it never mapped is a bug in the caller that this IPA does not survive.
      if (id === 0xdeadbeef) throw new Error(`no buffer ${id}`);
      this.mapped.delete(id);
    }
  }

  queueRequest(frame: u32, list: ControlList) {
    this.requests.set(frame, list);
  }

  computeParams(frame: u32, bufferId: u32) {
    const request = this.requests.get(frame);
    this.requests.delete(frame);
    const brightness = request?.get(controls.Brightness) ?? 0;
    const views = this.mapped.get(bufferId);
    if (views) views[0]![0] = frame & 0xff;
    this.events.paramsComputed(bufferId, brightness > 0 ? TestFlag.Flag1 : TestFlag.Flag2);
  }
}

export default defineIPA(IPAVimcInterface, (events) => new TestVimcIPA(events));
