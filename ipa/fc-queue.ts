/**
 * libcamera's FCQueue (src/ipa/libipa/fc_queue.h): a fixed ring of per-frame contexts, slot
 * `frame % size`, allocated when a request is queued for a frame and fetched by later stages.
 *
 * The libcamera FrameContext base carries the slot's frame number and an `initialised` flag; here
 * the queue keeps them beside each slot, so a frame context can be any object. "Initialising" a
 * slot replaces its context with a fresh one from the factory (libcamera's `frameContext = {}`).
 *
 * What happens on misuse, compared with libcamera:
 * - alloc() of a frame whose slot already holds it or a later frame (other than frame 0): the
 *   slot is kept as it is and a warning is reported, as libcamera's LOG(Warning).
 * - get() of a frame whose slot was since overwritten by a later frame: libcamera logs Fatal,
 *   which aborts the IPA. We throw FrameContextOverwrittenError: the context is gone and no
 *   context returned could be the right one.
 * - get() of a frame never allocated: a warning is reported and the slot is initialised for it
 *   (its request's controls were never applied), as libcamera does. get(0) before alloc(0)
 *   initialises silently, as libcamera does at start().
 * Warnings go to the `warn` callback if given and are always counted in `warningCount`.
 *
 * Frame numbers are uint32 sequence numbers, compared as numbers as in C++ (no wrap-around
 * handling there either).
 */
import { IPAError } from '../runtime/errors';

/** get() of a frame whose context a later frame has replaced. */
export class FrameContextOverwrittenError extends IPAError {
  override name = 'FrameContextOverwrittenError';
  constructor(
    readonly frame: number,
    readonly overwrittenBy: number,
  ) {
    super(`Frame context for ${frame} has been overwritten by ${overwrittenBy}`);
  }
}

export interface FCQueueOptions {
  warn?: (message: string) => void;
}

export class FCQueue<FrameContext> {
  readonly #create: () => FrameContext;
  readonly #contexts: FrameContext[];
  readonly #frames: number[];
  readonly #initialised: boolean[];
  readonly #warn: ((message: string) => void) | undefined;
  #warnings = 0;

  /** `size` slots; `create` makes a fresh, default frame context. */
  constructor(size: number, create: () => FrameContext, options: FCQueueOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FCQueue size must be a positive integer, got ${size}`);
    this.#create = create;
    this.#contexts = Array.from({ length: size }, () => create());
    this.#frames = new Array<number>(size).fill(0);
    this.#initialised = new Array<boolean>(size).fill(false);
    this.#warn = options.warn;
  }

  get size(): number {
    return this.#contexts.length;
  }

  /** How many warnings alloc() and get() have reported. */
  get warningCount(): number {
    return this.#warnings;
  }

  /** Marks every slot free (frame 0, not initialised); the contexts themselves stay until re-initialised, as libcamera's. */
  clear(): void {
    this.#frames.fill(0);
    this.#initialised.fill(false);
  }

  /** The context for a newly queued `frame`, fresh unless the slot already holds it (see above). */
  alloc(frame: number): FrameContext {
    const slot = this.#slot(frame);
    if (frame !== 0 && frame <= (this.#frames[slot] as number)) {
      this.#warning(`Frame ${frame} already initialised`);
    } else {
      this.#init(slot, frame);
    }
    return this.#contexts[slot] as FrameContext;
  }

  /** The context of `frame` (see above for a frame overwritten or never allocated). */
  get(frame: number): FrameContext {
    const slot = this.#slot(frame);
    const held = this.#frames[slot] as number;
    if (frame < held) throw new FrameContextOverwrittenError(frame, held);
    if (frame === 0 && !this.#initialised[slot]) {
      this.#init(slot, frame);
      return this.#contexts[slot] as FrameContext;
    }
    if (frame === held) return this.#contexts[slot] as FrameContext;
    this.#warning(`Obtained an uninitialised FrameContext for ${frame}`);
    this.#init(slot, frame);
    return this.#contexts[slot] as FrameContext;
  }

  #slot(frame: number): number {
    if (!Number.isInteger(frame) || frame < 0 || frame > 0xffffffff) throw new RangeError(`frame must be a uint32, got ${frame}`);
    return frame % this.#contexts.length;
  }

  #init(slot: number, frame: number): void {
    this.#contexts[slot] = this.#create();
    this.#frames[slot] = frame;
    this.#initialised[slot] = true;
  }

  #warning(message: string): void {
    this.#warnings++;
    this.#warn?.(message);
  }
}
