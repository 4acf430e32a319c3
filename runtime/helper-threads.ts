import { isMainThread } from 'node:worker_threads';
import { native } from './native';

/** The nice value helper threads get: the lowest priority short of SCHED_IDLE. */
export const HELPER_THREAD_NICE = 19;

/**
 * Gives every other thread of this process (V8's compiler and garbage collector threads, libuv's
 * pool) the lowest priority, and returns how many it changed. Woken while a frame's IPC is on its
 * way, those threads otherwise take the CPU from the JavaScript thread for up to milliseconds at a
 * time; at the lowest priority they still run whenever a CPU has nothing better to do.
 *
 * Call it once, early, from the main thread of a process that has deadlines (a camera
 * application; the process-mode worker host does it for itself). Worker threads started later
 * inherit the main thread's priority, not this one. Linux only.
 */
export function yieldHelperThreads(): number {
  if (!isMainThread) throw new Error('yieldHelperThreads() lowers every thread but the caller: call it from the main thread');
  return native().niceOtherThreads(HELPER_THREAD_NICE);
}
