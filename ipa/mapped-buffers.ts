/**
 * The buffers a pipeline handler shares with its IPA through mapBuffers, mapped into the IPA's
 * memory by id, as libcamera's IPAs keep a MappedFrameBuffer for each. A buffer's first plane is
 * mapped; the fd is duplicated for the mapping and closed again, since a mapping outlives its fd
 * and the received fd stays the caller's.
 */
import type { IPABuffer } from '../runtime/core';
import { SharedMemory } from '../runtime/shared-memory';

export class MappedBuffers {
  private readonly mapped = new Map<number, Uint8Array>();

  map(buffers: readonly IPABuffer[]): void {
    for (const buffer of buffers) {
      const plane = buffer.planes[0]!;
      const memory = SharedMemory.fromFd(plane.fd.dup().fd);
      try {
        this.mapped.set(buffer.id, new Uint8Array(memory.map(plane.offset, plane.length)));
      } finally {
        memory.close();
      }
    }
  }

  unmap(ids: readonly number[]): void {
    for (const id of ids) this.mapped.delete(id);
  }

  get(id: number): Uint8Array | undefined {
    return this.mapped.get(id);
  }

  has(id: number): boolean {
    return this.mapped.has(id);
  }
}
