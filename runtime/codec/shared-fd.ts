import type { u32 } from '../types';
import { native, sys } from '../native';

/**
 * A file descriptor that travels beside the bytes of a message (SCM_RIGHTS in process mode).
 * On the wire it is a u32 validity word; the number itself differs in every process, so it is
 * never written into the bytes.
 */
export class SharedFD {
  /** Tells the transformer which wire type this class is. */
  declare readonly __ipaWireType?: 'SharedFD';

  /** The fd number in this process, or -1 for an invalid (absent) fd. */
  readonly fd: number;

  constructor(fd = -1) {
    if (!(fd >= -1 && fd <= 0x7fffffff && fd === Math.floor(fd))) throw new RangeError(`not an fd number: ${fd}`);
    this.fd = fd;
  }

  get isValid(): boolean {
    return this.fd >= 0;
  }

  /**
   * A new fd for the same file, owned by the caller. fds that arrive with a call are open only
   * while the call runs: an IPA that keeps one keeps a duplicate.
   */
  dup(): SharedFD {
    if (this.fd < 0) return SharedFD.invalid;
    return new SharedFD(sys(() => native().dup(this.fd)));
  }

  /** Closes the fd (a duplicate this side owns). */
  close(): void {
    if (this.fd >= 0) sys(() => native().close(this.fd));
  }

  static readonly invalid = new SharedFD(-1);
}

/**
 * One plane of a frame buffer (libcamera's `FrameBuffer::Plane`): the dmabuf or memfd holding
 * it, and where in that fd the plane lies.
 */
export class FrameBufferPlane {
  /** Tells the transformer which wire type this class is. */
  declare readonly __ipaWireType?: 'FrameBufferPlane';

  constructor(
    readonly fd: SharedFD,
    readonly offset: u32,
    readonly length: u32,
  ) {}
}
