import { native, sys } from './native';

/**
 * Anonymous shared memory (memfd): an fd to pass to the other side, and mappings of it as
 * ArrayBuffers. Mappings are unmapped when garbage-collected; `close()` closes the fd.
 */
export class SharedMemory {
  private closed = false;

  private constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  static create(name: string, size: number): SharedMemory {
    return new SharedMemory(sys(() => native().memfd(name, size)), size);
  }

  /** Wraps an fd received from elsewhere (the caller hands over ownership). */
  static fromFd(fd: number): SharedMemory {
    return new SharedMemory(fd, sys(() => native().fileSize(fd)));
  }

  /** Maps `length` bytes from `offset` (all of it by default). */
  map(offset = 0, length = this.size - offset, writable = true): ArrayBuffer {
    return sys(() => native().mmap(this.fd, offset, length, writable));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    sys(() => native().close(this.fd));
  }
}
