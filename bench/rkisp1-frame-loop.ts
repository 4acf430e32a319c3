/**
 * The rkisp1 frame loop: the rkisp1 pipeline handler on the simulated rkisp1 at a camera's frame
 * rates, every buffer busy, with ts-ipa's rkisp1 IPA in direct and process mode and, as the peer
 * in the same run, libcamera's own C++ rkisp1 IPA in libcamera's worker under the same handler.
 * What counts is whether the IPA keeps up: a frame is late because of the IPA when its image
 * came from a later sensor frame than the one its parameters were computed for (they, or the
 * buffer with them, reached the ISP after that frame had started).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { controls } from '../runtime';
import type { CameraOptions, LibcameraIPA } from '../camera/camera';
import { RkISP1Camera } from '../platforms/rkisp1/pipeline';
import { SimulatedRkISP1 } from '../platforms/rkisp1/simulated';
import { captureWithEveryBufferBusy } from './frame-loop';
import { percentile } from './harness';

export interface Rkisp1FrameLoopRow {
  suite: 'rkisp1-frame-loop';
  impl: string;
  frameRate: number;
  seconds: number;
  frames: number;
  /** Frames whose image came from a later sensor frame than the IPA computed their parameters for. */
  lateForIpa: number;
  /** Sensor frames made with no image buffer queued. */
  missedFrames: number;
  /** Frames the simulation's own clock could not make on time (its event loop was busy). */
  simulationLate: number;
  /** queueRequest to paramsComputed, µs. */
  ipaP50Us: number;
  ipaP99Us: number;
  /** ExposureTime × AnalogueGain of the last frame, µs: both IPAs should settle alike. */
  settledExposureUs: number;
}

/** libcamera's rkisp1 IPA under ts-ipa's handler, with the tuning ts-ipa's IPA runs. */
export function libcameraRkISP1(kit: string): LibcameraIPA {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-bench-rkisp1-'));
  fs.copyFileSync(path.join(kit, 'ipa/data/rkisp1/uncalibrated.yaml'), path.join(dataDir, 'uncalibrated.yaml'));
  return { worker: ['/usr/bin/env', 'LIBCAMERA_LOG_LEVELS=*:FATAL', path.join(kit, 'bin/rkisp1_ipa_proxy')], module: path.join(kit, 'ipa/ipa_rkisp1.so'), dataDir };
}

export async function rkisp1FrameLoop(impl: string, options: CameraOptions, frameRate: number, seconds: number): Promise<Rkisp1FrameLoopRow> {
  const isp = new SimulatedRkISP1({ frameRate });
  const camera = await RkISP1Camera.open(isp, { ...options, timeoutMs: 10_000 });
  try {
    const config = camera.generateConfiguration();
    config.size = { width: 640, height: 480 };
    await camera.configure(config);
    await camera.start();
    const trips: number[] = [];
    let lateForIpa = 0;
    let exposure = 0;
    const { counted, end } = await captureWithEveryBufferBusy(camera, config.bufferCount, frameRate, seconds, () => isp.frameCounters, (frame) => {
      const { frame: computedFor, metadata } = frame.params;
      exposure = (metadata.get(controls.ExposureTime) ?? 0) * (metadata.get(controls.AnalogueGain) ?? 0);
      trips.push(frame.ipaRoundTripUs);
      if (frame.sequence !== computedFor) lateForIpa++;
    });
    await camera.stop();
    trips.sort((a, b) => a - b);
    return {
      suite: 'rkisp1-frame-loop', impl, frameRate, seconds, frames: trips.length, lateForIpa,
      missedFrames: end.missed - counted.missed, simulationLate: end.late - counted.late,
      ipaP50Us: percentile(trips, 50), ipaP99Us: percentile(trips, 99), settledExposureUs: exposure,
    };
  } finally {
    await camera.close();
  }
}

/** Both rates, each implementation in turn; a row for each. */
export async function rkisp1FrameLoopSection(kit: string | undefined, quick: boolean, print: (line: string) => void, misses: string[]): Promise<Rkisp1FrameLoopRow[]> {
  const seconds = quick ? 2 : 5;
  const rows: Rkisp1FrameLoopRow[] = [];
  const libcameraIPA = kit ? libcameraRkISP1(kit) : undefined;
  try {
    for (const frameRate of [30, 120]) {
      const impls: [string, CameraOptions][] = [
        ['ts-ipa IPA, direct', { isolation: 'direct' }],
        ['ts-ipa IPA, process', { isolation: 'process' }],
        ...(libcameraIPA ? [["libcamera's C++ IPA, process", { libcameraIPA }] as [string, CameraOptions]] : []),
      ];
      for (const [impl, options] of impls) {
        const r = await rkisp1FrameLoop(impl, options, frameRate, seconds);
        rows.push(r);
        print(`  ${String(frameRate).padStart(3)} fps  ${impl.padEnd(30)} ${String(r.frames).padStart(4)} frames  late for the IPA ${String(r.lateForIpa).padStart(2)}  missed ${String(r.missedFrames).padStart(2)}  simulation late ${String(r.simulationLate).padStart(2)}  queueRequest → paramsComputed p50 ${r.ipaP50Us.toFixed(0).padStart(4)} µs  p99 ${r.ipaP99Us.toFixed(0).padStart(5)} µs  settled exposure ${r.settledExposureUs.toFixed(0)} µs`);
      }
      const ours = rows.find((r) => r.frameRate === frameRate && r.impl === 'ts-ipa IPA, process')!;
      const theirs = rows.find((r) => r.frameRate === frameRate && r.impl.startsWith('libcamera'));
      const met = ours.lateForIpa === 0;
      print(`  target at ${frameRate} fps: process mode 0 frames late because of the IPA: ${met ? 'PASS' : 'MISS'}${theirs ? ` (libcamera's C++ IPA under the same handler: ${theirs.lateForIpa}; ts-ipa's round trip p50 ${(ours.ipaP50Us / theirs.ipaP50Us).toFixed(2)}× its, p99 ${(ours.ipaP99Us / theirs.ipaP99Us).toFixed(2)}×)` : " (libcamera's C++ IPA skipped: no usable kit)"}`);
      if (!met) misses.push(`rkisp1 frame loop at ${frameRate} fps (process): ${ours.lateForIpa} frames late because of the IPA`);
    }
  } finally {
    if (libcameraIPA) fs.rmSync(libcameraIPA.dataDir, { recursive: true, force: true });
  }
  return rows;
}
