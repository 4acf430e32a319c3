/**
 * The rkisp1 pipeline handler running libcamera's own C++ rkisp1 IPA (the kit's `ipa_rkisp1.so`
 * in `rkisp1_ipa_proxy`, CameraOptions.libcameraIPA) in the closed loop on the simulated rkisp1,
 * beside ts-ipa's rkisp1 IPA in the same loop: the handler serves libcamera's IPA as libcamera's
 * pipeline does, and both IPAs settle on the same exposure and white balance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kit, kitMissing, processesMarked } from '../../libcamera-kit';
import { openFds, runtime } from '../../support';
import type { LibcameraIPA } from '../../../dist/camera/camera.js';
import { RkISP1Camera } from '../../../dist/platforms/rkisp1/pipeline.js';
import { SimulatedRkISP1 } from '../../../dist/platforms/rkisp1/simulated/index.js';
import { convergenceFrame } from './convergence';

const { controls } = runtime;
const marker = `ts-ipa-rkisp1-libcamera-ipa-${process.pid}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-libcamera-ipa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** libcamera's rkisp1 IPA with a data directory holding only uncalibrated.yaml, the tuning ts-ipa's IPA runs. */
function libcameraRkISP1IPA(): LibcameraIPA {
  fs.copyFileSync(path.join(kit!, 'ipa/data/rkisp1/uncalibrated.yaml'), path.join(tmp, 'uncalibrated.yaml'));
  return {
    worker: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, 'LIBCAMERA_LOG_LEVELS=*:FATAL', path.join(kit!, 'bin/rkisp1_ipa_proxy')],
    module: path.join(kit!, 'ipa/ipa_rkisp1.so'),
    dataDir: tmp,
  };
}

const WARM = { brightness: 50, illuminant: { r: 1.3, g: 1, b: 0.7 } };

/** 30 frames of the warm scene with four requests in flight: each frame's exposure (time times gain) and colour gains. */
async function closedLoop(options: Parameters<typeof RkISP1Camera.open>[1]) {
  const camera = await RkISP1Camera.open(new SimulatedRkISP1({ frameRate: 15, scene: WARM }), options);
  const frames: { sequence: number; exposure: number; gains: readonly number[] }[] = [];
  try {
    await camera.configure(camera.generateConfiguration());
    await camera.start();
    let submitted = 0;
    const lane = async () => {
      while (submitted < 30) {
        submitted++;
        const frame = await camera.capture();
        const m = frame.params.metadata;
        frames.push({ sequence: frame.sequence, exposure: m.get(controls.ExposureTime)! * m.get(controls.AnalogueGain)!, gains: m.get(controls.ColourGains)! });
        frame.release();
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  } finally {
    await camera.close();
  }
  return frames.sort((a, b) => a.sequence - b.sequence);
}

describe("the rkisp1 pipeline handler running libcamera's C++ rkisp1 IPA (libcameraIPA)", () => {
  it('finds the libcamera kit', () => {
    expect(kit, kitMissing).toBeDefined();
  });

  it.skipIf(!kit)("closes the loop with libcamera's IPA as with ts-ipa's: the same settled exposure and white balance, leaving nothing behind", async () => {
    const fdsBefore = openFds();
    const theirs = await closedLoop({ libcameraIPA: libcameraRkISP1IPA(), timeoutMs: 10_000 });
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
    const ours = await closedLoop({ isolation: 'process', timeoutMs: 10_000 });
    for (const frames of [theirs, ours]) {
      const last = frames[frames.length - 1]!;
      // Both settle, well before the end: within 5 % from frame 18 on (the oracle's 12 frames and a half).
      expect(convergenceFrame(frames.map((f) => [f.sequence, [f.exposure]]), [last.exposure])).toBeLessThanOrEqual(18);
      expect(convergenceFrame(frames.map((f) => [f.sequence, f.gains]), last.gains)).toBeLessThanOrEqual(18);
    }
    // On the same frames libcamera's IPA decided what ts-ipa's did, up to a frame's timing.
    const settled = (frames: typeof theirs) => frames.slice(-5);
    for (const [a, b] of settled(theirs).map((f, i) => [f, settled(ours)[i]!] as const)) {
      expect(Math.abs(a.exposure / b.exposure - 1)).toBeLessThanOrEqual(0.05);
      for (let c = 0; c < 2; c++) expect(Math.abs(a.gains[c]! / b.gains[c]! - 1)).toBeLessThanOrEqual(0.01);
    }
    // The first frames, before any frame's timing can differ, are the same decisions exactly.
    expect(theirs.slice(0, 7)).toEqual(ours.slice(0, 7));
  }, 120_000);
});
