/**
 * libcamera's RkISP1Frames: what each request in flight holds besides its image buffer (a
 * parameters and a statistics buffer, taken in turn from those free) and how far it got. A
 * request completes once its metadata is in and the ISP is done with its parameters; its two
 * buffers are free again once both are back from the devices.
 */

export interface RkISP1FrameInfo {
  /** The IPA's frame number. */
  readonly frame: number;
  /** The capture buffer the request holds. */
  readonly bufferIndex: number;
  /** The IPA's ids of the parameters and statistics buffers (libcamera's cookies). */
  readonly paramsId: number;
  readonly statsId: number;
  paramsComputed: boolean;
  paramsQueued: boolean;
  paramsBack: boolean;
  statsQueued: boolean;
  /** The statistics came back and went to the IPA (processStats). */
  statsSent: boolean;
  statsBack: boolean;
  metadata: boolean;
  /** Its metadata will not come (the IPA that owed it is gone). */
  abandoned: boolean;
}

export class RkISP1Frames {
  private readonly byFrame = new Map<number, RkISP1FrameInfo>();
  private freeParams: number[];
  private freeStats: number[];

  /** `paramsIds` and `statsIds`: the buffers' ids, taken in this order first. */
  constructor(private readonly paramsIds: readonly number[], private readonly statsIds: readonly number[]) {
    this.freeParams = [...paramsIds];
    this.freeStats = [...statsIds];
  }

  /** A new frame's bookkeeping, or undefined when no parameters or statistics buffer is free (an underrun). */
  create(frame: number, bufferIndex: number): RkISP1FrameInfo | undefined {
    if (this.byFrame.has(frame) || this.freeParams.length === 0 || this.freeStats.length === 0) return undefined;
    const info: RkISP1FrameInfo = {
      frame, bufferIndex, paramsId: this.freeParams.shift()!, statsId: this.freeStats.shift()!,
      paramsComputed: false, paramsQueued: false, paramsBack: false, statsQueued: false, statsSent: false, statsBack: false, metadata: false, abandoned: false,
    };
    this.byFrame.set(frame, info);
    return info;
  }

  find(frame: number): RkISP1FrameInfo | undefined {
    return this.byFrame.get(frame);
  }

  findByParams(id: number): RkISP1FrameInfo | undefined {
    return [...this.byFrame.values()].find((info) => info.paramsId === id && info.paramsQueued && !info.paramsBack);
  }

  findByStats(id: number): RkISP1FrameInfo | undefined {
    return [...this.byFrame.values()].find((info) => info.statsId === id && info.statsQueued && !info.statsBack);
  }

  /** Whether the request may complete: its metadata is in and the ISP gave its parameters back. */
  complete(info: RkISP1FrameInfo): boolean {
    return info.metadata && info.paramsBack;
  }

  /**
   * Frees the frame's buffers once the devices gave back those queued and nothing more is owed
   * for it; says whether it did.
   */
  settle(info: RkISP1FrameInfo): boolean {
    const buffersBack = (!info.paramsQueued || info.paramsBack) && (!info.statsQueued || info.statsBack);
    if (!buffersBack || !(info.metadata || info.abandoned || !info.statsQueued)) return false;
    this.destroy(info);
    return true;
  }

  /** The request failed before its buffers went to the devices: they are free at once. */
  drop(info: RkISP1FrameInfo): void {
    if (info.paramsQueued || info.statsQueued) throw new RangeError(`frame ${info.frame}: its buffers are at the devices`);
    this.destroy(info);
  }

  /** The IPA is gone: no frame's metadata will come; each is freed once its buffers are back. */
  abandonAll(): void {
    for (const info of [...this.byFrame.values()]) {
      info.abandoned = true;
      this.settle(info);
    }
  }

  /** Streaming stopped: the devices hold no buffer any more, and every buffer is free. */
  clear(): void {
    this.byFrame.clear();
    this.freeParams = [...this.paramsIds];
    this.freeStats = [...this.statsIds];
  }

  get inFlight(): number {
    return this.byFrame.size;
  }

  get freeCount(): { params: number; stats: number } {
    return { params: this.freeParams.length, stats: this.freeStats.length };
  }

  private destroy(info: RkISP1FrameInfo): void {
    if (this.byFrame.get(info.frame) !== info) return;
    this.byFrame.delete(info.frame);
    this.freeParams.push(info.paramsId);
    this.freeStats.push(info.statsId);
  }
}
