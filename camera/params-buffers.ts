/**
 * The ISP parameter buffers a pipeline handler shares with its IPA, as libcamera's pipelines
 * allocate them (rkisp1's `paramBuffers_`, each with an id the IPA maps it by): N buffers of one
 * size, each its own memfd so the IPA maps it whole (mmap offsets must be page-aligned, so slices
 * of one memfd would not map), handed to the IPA as an `IPABuffer` list for `mapBuffers`.
 *
 * A request takes a free buffer and gives it back once the parameters are applied, as rkisp1's
 * `availableParamBuffers_`. A platform whose contract names the capture buffer instead (vimc's
 * `computeParams(frame, bufferId)`) keeps one buffer with a slot per capture buffer and never
 * takes: `get(id)` is all it needs.
 */
import { FrameBufferPlane, SharedFD, SharedMemory, type IPABuffer } from '../runtime';

/** What to allocate: `count` buffers of `bytes` each, with ids `firstId`, `firstId + 1`, …. */
export interface ParamsBufferSpec {
  /** What the memory is called (in /proc/<pid>/maps). */
  name: string;
  firstId: number;
  count: number;
  bytes: number;
}

export interface ParamsBuffer {
  /** The id the IPA knows this buffer by. */
  readonly id: number;
  /** The whole buffer, mapped in this process. */
  readonly view: Uint8Array;
}

interface Allocated extends ParamsBuffer {
  readonly memory: SharedMemory;
}

export class ParamsBufferPool {
  private readonly byId = new Map<number, Allocated>();
  /** First in, first out: a buffer given back is taken again after the others, as a V4L2 queue cycles. */
  private free: Allocated[];
  private released = false;

  private constructor(private readonly allocated: Allocated[]) {
    for (const buffer of allocated) this.byId.set(buffer.id, buffer);
    this.free = [...allocated];
  }

  /** Allocates every buffer, or none: those made before a failure are closed. */
  static allocate(spec: ParamsBufferSpec): ParamsBufferPool {
    if (!(Number.isInteger(spec.count) && spec.count >= 1)) throw new RangeError(`a parameters pool needs at least one buffer, not ${spec.count}`);
    if (!(Number.isInteger(spec.bytes) && spec.bytes >= 1)) throw new RangeError(`parameters buffers need a size, not ${spec.bytes}`);
    const made: Allocated[] = [];
    try {
      for (let i = 0; i < spec.count; i++) {
        const memory = SharedMemory.create(spec.name, spec.bytes);
        let view: Uint8Array;
        try {
          view = new Uint8Array(memory.map());
        } catch (error) {
          memory.close();
          throw error;
        }
        made.push({ id: spec.firstId + i, memory, view });
      }
    } catch (error) {
      for (const buffer of made) buffer.memory.close();
      throw error;
    }
    return new ParamsBufferPool(made);
  }

  get ids(): number[] {
    return this.allocated.map((b) => b.id);
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** The list for the IPA's `mapBuffers`; the fds stay this pool's (the IPA dups what it keeps). */
  ipaBuffers(): IPABuffer[] {
    this.checkLive('ipaBuffers');
    return this.allocated.map((b) => ({ id: b.id, planes: [new FrameBufferPlane(new SharedFD(b.memory.fd), 0, b.view.byteLength)] }));
  }

  /** The buffer with this id, taken or not; undefined for an id this pool never gave. */
  get(id: number): ParamsBuffer | undefined {
    return this.released ? undefined : this.byId.get(id);
  }

  /** A free buffer for a request, or undefined when every one is in use (the request waits). */
  take(): ParamsBuffer | undefined {
    this.checkLive('take');
    return this.free.shift();
  }

  /** Gives a taken buffer back; giving back one that is free or not this pool's is a bug, so it throws. */
  giveBack(id: number): void {
    this.checkLive('giveBack');
    const buffer = this.byId.get(id);
    if (!buffer) throw new RangeError(`parameters buffer ${id} is not this pool's`);
    if (this.free.includes(buffer)) throw new RangeError(`parameters buffer ${id} is already free`);
    this.free.push(buffer);
  }

  /** Closes every fd; the mappings go with their last reference. Releasing twice does nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.free = [];
    for (const buffer of this.allocated) buffer.memory.close();
  }

  private checkLive(what: string): void {
    if (this.released) throw new RangeError(`${what}: the parameters buffers were released`);
  }
}
