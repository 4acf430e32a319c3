import { IPAClosedError, IPARecoveryError } from '../errors';
import { STATE_CALLS, StateJournal } from './state-journal';

/**
 * Bringing a crashed or hung IPA back. Off unless a proxy is given a policy: respawns its worker
 * after a back-off, replays the calls that set the IPA up, then lets new calls through. Calls in
 * flight at the crash reject; none is retried.
 */
export interface RecoveryPolicy {
  /**
   * Restarts in a row before giving up. A restart counts whether or not it came up: a worker that
   * crashes again within `stableAfterMs` of its restart is in a crash loop, and a hostile or
   * broken IPA must not be restarted for ever. A worker that stays up that long resets the count.
   */
  maxRestarts: number;
  /** The wait before the first restart, doubled for each further one in a row (default 50 ms). */
  backoffMs?: number;
  /** The longest wait between restarts (default 2000 ms). */
  maxBackoffMs?: number;
  /** How long a restarted worker must live for its crash to count as a new one (default 10 s). */
  stableAfterMs?: number;
}

/** Throws a RangeError naming the first setting of `policy` that cannot work. */
export function checkRecoveryPolicy(policy: RecoveryPolicy): void {
  if (!Number.isInteger(policy.maxRestarts) || policy.maxRestarts < 0) throw new RangeError(`recovery.maxRestarts must be an integer ≥ 0, not ${policy.maxRestarts}`);
  for (const key of ['backoffMs', 'maxBackoffMs', 'stableAfterMs'] as const) {
    const value = policy[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`recovery.${key} must be a number of milliseconds ≥ 0, not ${value}`);
  }
}

function backoffFor(policy: RecoveryPolicy, restartInRow: number): number {
  return Math.min((policy.backoffMs ?? 50) * 2 ** (restartInRow - 1), policy.maxBackoffMs ?? 2000);
}

/** What a Recovery needs of the proxy it serves. */
export interface RecoveryHost {
  /** Ends the old worker and starts a new one; rejects if the new one does not come up. */
  replaceWorker(): Promise<void>;
  /** Ends the worker left from the last attempt, if any (giving up must leave no process). */
  endWorker(): Promise<void>;
  isClosed(): boolean;
  recovered(info: { restarts: number; cause: Error }): void;
  failed(error: IPARecoveryError): void;
}

/**
 * A proxy's recovery: wraps its state calls to record them, and after a crash restarts the
 * worker, with back-off, until the replay of those calls succeeds or the policy's bound is hit.
 */
export class Recovery {
  private readonly journal = new StateJournal();
  private readonly originals = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  /** A recovery under way: calls made meanwhile wait for it. */
  private pending: Promise<void> | undefined;
  /** Set while a replayed call is being sent: it goes ahead of the calls that wait. */
  private replaying = false;
  private restartsInRow = 0;
  private lastRestartAt = 0;
  /** Why the IPA could not be brought back; every call fails with it until a restart. */
  failure: IPARecoveryError | undefined;

  constructor(private readonly policy: RecoveryPolicy, private readonly host: RecoveryHost) {
    checkRecoveryPolicy(policy);
  }

  /** Records each state call `proxy` answers, from now on. */
  instrument(proxy: object): void {
    const methods = proxy as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of STATE_CALLS) {
      if (typeof methods[name] !== 'function') continue;
      const original = methods[name]!.bind(proxy);
      this.originals.set(name, original);
      methods[name] = (...args: unknown[]) => original(...args).then((result) => {
        this.journal.record(name, args, result);
        return result;
      });
    }
  }

  /** What a call made now must wait for first, if anything. */
  get gate(): Promise<void> | undefined {
    return this.replaying ? undefined : this.pending;
  }

  /** The worker crashed or was ended as hung. */
  start(cause: Error): void {
    if (this.host.isClosed() || this.pending) return;
    this.pending = this.recover(cause);
    this.pending.catch(() => {}); // waiting calls get the error; nobody else needs it
  }

  /** A restart by hand: the state is the caller's to set up again. */
  reset(): void {
    this.failure = undefined;
    this.restartsInRow = 0;
    this.journal.clear();
  }

  close(): void {
    this.journal.clear();
  }

  private async recover(cause: Error): Promise<void> {
    try {
      if (Date.now() - this.lastRestartAt > (this.policy.stableAfterMs ?? 10_000)) this.restartsInRow = 0;
      let last = cause;
      // Whether the last restart in this row came up: giving up then means a crash loop.
      let cameUp = this.restartsInRow > 0;
      while (this.restartsInRow < this.policy.maxRestarts && !this.host.isClosed()) {
        this.restartsInRow++;
        await new Promise((resolve) => setTimeout(resolve, backoffFor(this.policy, this.restartsInRow)));
        if (this.host.isClosed()) break;
        try {
          await this.host.replaceWorker();
          await this.journal.replay((name, args) => this.invoke(name, args));
          this.lastRestartAt = Date.now();
          this.host.recovered({ restarts: this.restartsInRow, cause });
          return;
        } catch (error) {
          last = error as Error;
          cameUp = false;
        }
      }
      // Closed meanwhile: the calls that waited fail as any call on a closed proxy does.
      if (this.host.isClosed()) throw new IPAClosedError('the proxy was closed while its IPA was being restarted');
      // A worker that came up but whose replay failed is still there.
      await this.host.endWorker();
      this.failure = new IPARecoveryError(this.restartsInRow, last, cameUp ? this.policy.stableAfterMs ?? 10_000 : undefined);
      this.host.failed(this.failure);
      throw this.failure;
    } finally {
      // Before the waiting calls run: they go straight to the new worker.
      this.pending = undefined;
    }
  }

  private invoke(name: string, args: unknown[]): Promise<unknown> {
    // The generated method sends synchronously: only the replayed call passes the waiting ones.
    this.replaying = true;
    try {
      return this.originals.get(name)!(...args);
    } finally {
      this.replaying = false;
    }
  }
}
