/**
 * At most `perWindow` things a window (log lines, warnings): the rest are counted, and once the
 * window is over `onWindowEnd` is told how many were held back. What a hostile IPA sends decides
 * how much arrives, not how much the pipeline handler logs.
 */
export class RateLimit {
  private windowStart = -Infinity;
  private shown = 0;
  private suppressed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly onWindowEnd: (suppressed: number) => void,
  ) {}

  /** Whether one more may be shown now; if not, it is counted for the window's summary. */
  allow(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.shown = 0;
    }
    if (this.shown < this.perWindow) {
      this.shown++;
      return true;
    }
    this.suppressed++;
    // Unreferenced: a summary is not worth keeping a process alive for.
    this.timer ??= setTimeout(() => this.endWindow(), Math.max(0, this.windowStart + this.windowMs - now)).unref();
    return false;
  }

  private endWindow(): void {
    this.timer = undefined;
    const count = this.suppressed;
    this.suppressed = 0;
    // The summary opens the next window and takes one of its places.
    this.windowStart = performance.now();
    this.shown = 1;
    this.onWindowEnd(count);
  }
}
