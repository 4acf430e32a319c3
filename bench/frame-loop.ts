/**
 * The frame loop: the simulated vimc at a fixed rate with the IPA in each mode, every buffer kept
 * busy, as a capture application runs it. What it measures is what IPC costs a frame: the IPA's
 * round trip (queueRequest + computeParams until paramsComputed) and the frames the sensor made
 * while no buffer was queued because the pipeline was still waiting.
 */
import type { Isolation } from '../runtime';
import type { Camera, Frame } from '../camera/camera';
import { VimcCamera } from '../platforms/vimc/pipeline';
import { SimulatedVimc } from '../platforms/vimc/simulated/graph';
import { percentile } from './harness';

export interface FrameLoopRow {
  suite: 'frame-loop';
  impl: string;
  frameRate: number;
  seconds: number;
  frames: number;
  /** Frames the sensor made with no buffer queued: the pipeline, IPA included, fell behind. */
  missedFrames: number;
  /** Frames the simulation's timer could not make on time (the event loop was busy). */
  lateFrames: number;
  ipcP50Us: number;
  ipcP99Us: number;
}

interface FrameCounters {
  missed: number;
  late: number;
}

/**
 * Captures with a request in flight for every buffer, as a capture application does: half a
 * second of frames to warm up, then `seconds` during which `measure` sees each frame before it is
 * released. Gives the simulation's frame counters at the start and at the end of that time.
 */
export async function captureWithEveryBufferBusy<P>(
  camera: Camera<P>, bufferCount: number, frameRate: number, seconds: number,
  counters: () => FrameCounters, measure: (frame: Frame<P>) => void,
): Promise<{ counted: FrameCounters; end: FrameCounters }> {
  const warmup = Math.round(frameRate / 2);
  let frames = 0;
  let counted: FrameCounters = { missed: 0, late: 0 };
  const end = await new Promise<FrameCounters>((resolve, reject) => {
    let deadline = 0n;
    let done = false;
    const next = (): void => {
      if (done) return;
      camera.capture().then((frame) => {
        if (++frames === warmup) {
          counted = { ...counters() };
          deadline = process.hrtime.bigint() + BigInt(seconds * 1e9);
        } else if (frames > warmup) {
          measure(frame);
          if (process.hrtime.bigint() >= deadline) done = true;
        }
        frame.release();
        if (done) return resolve({ ...counters() });
        next();
      }, (error: unknown) => (done ? undefined : reject(error)));
    };
    for (let i = 0; i < bufferCount; i++) next();
  });
  return { counted, end };
}

/** `samples`, if given, receives every frame's IPC time (µs), for runs pooled across alternations. */
export async function frameLoop(isolation: Isolation, frameRate: number, seconds: number, samples?: number[]): Promise<FrameLoopRow> {
  const vimc = new SimulatedVimc({ frameRate });
  const camera = await VimcCamera.open(vimc, { isolation, timeoutMs: 10_000 });
  try {
    const config = camera.generateConfiguration();
    config.size = { width: 640, height: 480 };
    await camera.configure(config);
    await camera.start();
    const trips: number[] = [];
    const { counted, end } = await captureWithEveryBufferBusy(camera, config.bufferCount, frameRate, seconds, () => vimc.frameCounters, (frame) => trips.push(frame.ipaRoundTripUs));
    await camera.stop();
    samples?.push(...trips);
    trips.sort((a, b) => a - b);
    return {
      suite: 'frame-loop', impl: `ts-ipa ${isolation}`, frameRate, seconds, frames: trips.length,
      missedFrames: end.missed - counted.missed, lateFrames: end.late - counted.late, ipcP50Us: percentile(trips, 50), ipcP99Us: percentile(trips, 99),
    };
  } finally {
    await camera.close();
  }
}

/**
 * The peer for the per-frame figures: a raw round trip made once a frame period, so that both
 * ends sleep between frames as a camera's do. On a virtual machine, waking a sleeping process is
 * most of what such a round trip costs.
 */
export async function pacedRoundTrips(impl: string, roundTrip: () => Promise<unknown>, frameRate: number, seconds: number): Promise<FrameLoopRow> {
  const period = 1000 / frameRate;
  const trips: number[] = [];
  const count = Math.round(frameRate * seconds);
  for (let i = 0; i < count + 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, period));
    const start = process.hrtime.bigint();
    await roundTrip();
    if (i >= 50) trips.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  trips.sort((a, b) => a - b);
  return { suite: 'frame-loop', impl, frameRate, seconds, frames: trips.length, missedFrames: 0, lateFrames: 0, ipcP50Us: percentile(trips, 50), ipcP99Us: percentile(trips, 99) };
}

/** Rows of several runs pooled: their frames and counters summed, percentiles over all their frames. */
export function pooled(impl: string, runs: FrameLoopRow[], samples: number[]): FrameLoopRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = (f: (r: FrameLoopRow) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    suite: 'frame-loop', impl, frameRate: runs[0]!.frameRate, seconds: sum((r) => r.seconds), frames: sorted.length,
    missedFrames: sum((r) => r.missedFrames), lateFrames: sum((r) => r.lateFrames), ipcP50Us: percentile(sorted, 50), ipcP99Us: percentile(sorted, 99),
  };
}
