import { FrameBufferPlane, SharedFD } from '../codec/shared-fd';

/** The calls a restart replays, by libcamera's IPA convention (each contract has them). */
export const STATE_CALLS = ['init', 'configure', 'mapBuffers', 'unmapBuffers', 'start', 'stop'] as const;
type StateCall = (typeof STATE_CALLS)[number];

type Invoke = (name: string, args: unknown[]) => Promise<unknown>;

/**
 * What the IPA was told that made its state: the last init and configure, the buffers mapped
 * and not unmapped since, and whether it was started. Arguments are kept with duplicates of
 * their fds, as the pipeline handler may close its own once a call returns.
 */
export class StateJournal {
  private init: Recorded | undefined;
  private configure: Recorded | undefined;
  private readonly buffers = new Map<number, Recorded>();
  private started: Recorded | undefined;

  /** Notes a state call that succeeded. */
  record(name: StateCall, args: unknown[], result: unknown): void {
    switch (name) {
      case 'init':
        close(this.init);
        this.init = keep(args, result);
        break;
      case 'configure':
        close(this.configure);
        this.configure = keep(args, result);
        break;
      case 'mapBuffers':
        for (const buffer of (args[0] as { id: number }[] | undefined) ?? []) {
          close(this.buffers.get(buffer.id));
          this.buffers.set(buffer.id, keep([buffer], undefined));
        }
        break;
      case 'unmapBuffers':
        for (const id of (args[0] as number[] | undefined) ?? []) {
          close(this.buffers.get(id));
          this.buffers.delete(id);
        }
        break;
      case 'start':
        this.started = { args: [], result, fds: [] };
        break;
      case 'stop':
        this.started = undefined;
        break;
    }
  }

  /** Replays the state onto a new IPA, in the order a pipeline handler sets one up. */
  async replay(invoke: Invoke): Promise<void> {
    const again = async (name: string, recorded: Recorded) => {
      const result = await invoke(name, recorded.args);
      // A call that succeeded the first time and fails now leaves the IPA in another state.
      if (returnCode(recorded.result) === 0 && returnCode(result) !== 0) {
        throw new Error(`replaying ${name} returned ${returnCode(result)} where it had returned 0`);
      }
    };
    if (this.init) await again('init', this.init);
    if (this.configure) await again('configure', this.configure);
    if (this.buffers.size > 0) await invoke('mapBuffers', [[...this.buffers.values()].map((b) => b.args[0])]);
    if (this.started) await again('start', this.started);
  }

  /** Closes every fd it kept. */
  clear(): void {
    for (const recorded of [this.init, this.configure, ...this.buffers.values()]) close(recorded);
    this.buffers.clear();
    this.init = this.configure = this.started = undefined;
  }
}

interface Recorded {
  args: unknown[];
  result: unknown;
  /** The duplicates this record owns. */
  fds: SharedFD[];
}

function keep(args: unknown[], result: unknown): Recorded {
  const fds: SharedFD[] = [];
  return { args: args.map((arg) => copyWithFds(arg, fds)), result, fds };
}

function close(recorded: Recorded | undefined): void {
  for (const fd of recorded?.fds ?? []) fd.close();
}

/** A call's status: the number it returned, or the `ret` field of what it returned. */
function returnCode(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (result !== null && typeof result === 'object' && typeof (result as { ret?: unknown }).ret === 'number') return (result as { ret: number }).ret;
  return undefined;
}

/** A deep copy of plain data, arrays and Maps, with each SharedFD replaced by a duplicate. */
function copyWithFds(value: unknown, fds: SharedFD[]): unknown {
  if (value instanceof SharedFD) {
    if (!value.isValid) return value;
    const dup = value.dup();
    fds.push(dup);
    return dup;
  }
  if (value instanceof FrameBufferPlane) return new FrameBufferPlane(copyWithFds(value.fd, fds) as SharedFD, value.offset, value.length);
  if (Array.isArray(value)) return value.map((v) => copyWithFds(v, fds));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, copyWithFds(v, fds)]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyWithFds(v, fds)]));
  }
  return value;
}
