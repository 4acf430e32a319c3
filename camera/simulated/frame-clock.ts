/**
 * A simulated sensor's frame timing: one frame a period from `start`, on the event loop. A frame
 * the loop was too busy to make within a period of its time is skipped and counted late, so a
 * slow consumer sees frames drop, as from a sensor that does not wait.
 */
export class FrameClock {
  /** Frames the timer could not produce on time because the event loop was busy. */
  lateFrames = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextDue = 0n;

  constructor(private readonly frameRate: () => number, private readonly onFrame: (timestamp: bigint) => void) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    this.nextDue = process.hrtime.bigint();
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private get period(): bigint {
    return BigInt(Math.round(1e9 / this.frameRate()));
  }

  private schedule(): void {
    const wait = Number(this.nextDue - process.hrtime.bigint()) / 1e6;
    this.timer = setTimeout(() => this.tick(), Math.max(0, wait));
  }

  private tick(): void {
    const now = process.hrtime.bigint();
    while (now - this.nextDue >= this.period) {
      this.lateFrames++;
      this.nextDue += this.period;
    }
    this.nextDue += this.period;
    this.onFrame(now);
    if (this.timer) this.schedule();
  }
}
