import type { EventEmitter } from 'node:events';

/**
 * Runs each listener of an event on its own, as emit() would, except that one that throws (or
 * whose promise rejects) is handed to `failed` instead of thrown, and the others still run.
 */
export function runListeners(emitter: EventEmitter, name: string, args: unknown[], failed: (error: unknown) => void): void {
  for (const listener of emitter.rawListeners(name)) {
    try {
      const result = Reflect.apply(listener, emitter, args) as { then?: unknown } | undefined;
      if (typeof result?.then === 'function') (result as PromiseLike<unknown>).then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
}
