import type { u32 } from '../types';

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
