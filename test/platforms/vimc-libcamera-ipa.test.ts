/**
 * CameraOptions.libcameraIPA: ts-ipa's vimc pipeline handler on the simulated vimc, its IPA
 * libcamera's own C++ vimc IPA (the kit's `ipa_vimc.so`) in libcamera's own worker
 * (`vimc_ipa_proxy`). libcamera's vimc IPA is a test IPA: it answers every call and computes
 * nothing, so each frame's parameters are the untouched (zeroed) slot, where ts-ipa's vimc IPA
 * writes the frame's number and controls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureFrames } from '../camera-suite';
import { kit, kitMissing, processesMarked } from '../libcamera-kit';
import { openFds } from '../support';
import type { LibcameraIPA } from '../../dist/camera/camera.js';
import { VimcCamera } from '../../dist/platforms/vimc/pipeline.js';
import { SimulatedVimc } from '../../dist/platforms/vimc/simulated/graph.js';

/** Set in every worker's environment, to find any left running. */
const marker = `ts-ipa-vimc-libcamera-ipa-${process.pid}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vimc-libcamera-ipa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function libcameraVimcIPA(dataDir = path.join(kit!, 'ipa/data/vimc')): LibcameraIPA {
  return {
    worker: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, 'LIBCAMERA_LOG_LEVELS=*:ERROR', path.join(kit!, 'bin/vimc_ipa_proxy')],
    module: path.join(kit!, 'ipa/ipa_vimc.so'),
    dataDir,
  };
}

describe("the vimc pipeline handler running libcamera's C++ vimc IPA (libcameraIPA)", () => {
  it('finds the libcamera kit', () => {
    expect(kit, kitMissing).toBeDefined();
  });

  it.skipIf(!kit)("captures frames on the simulated vimc, libcamera's worker answering every call, and leaves nothing behind", async () => {
    const fdsBefore = openFds();
    const camera = await VimcCamera.open(new SimulatedVimc({ frameRate: 120 }), { libcameraIPA: libcameraVimcIPA() });
    try {
      const [worker] = processesMarked('TS_IPA_INTEROP', marker);
      expect(fs.readlinkSync(`/proc/${worker}/exe`)).toBe(fs.realpathSync(path.join(kit!, 'bin/vimc_ipa_proxy')));
      const config = camera.generateConfiguration();
      config.size = { width: 160, height: 120 };
      await camera.configure(config);
      await camera.start();
      const frames = await captureFrames(camera, (frame) => frame.data.length, 12);
      expect(frames.map((f) => f.error)).toEqual(Array(12).fill(false));
      expect(frames.every((f, i) => i === 0 || f.sequence > frames[i - 1]!.sequence)).toBe(true);
      expect(frames.every((f) => f.picture >= 160 * 120)).toBe(true);
      // Nothing written by libcamera's IPA: ts-ipa's writes each frame's number and its controls.
      expect(new Set(frames.map((f) => JSON.stringify(f.params)))).toEqual(new Set([JSON.stringify({ frame: 0, brightness: 0, contrast: 0, saturation: 0 })]));
      await camera.stop();
    } finally {
      await camera.close();
    }
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  }, 60_000);

  it.skipIf(!kit)("fails open() with libcamera's IPA's refusal when its data directory has no vimc.conf, leaving nothing behind", async () => {
    const fdsBefore = openFds();
    const empty = fs.mkdtempSync(path.join(tmp, 'data-'));
    await expect(VimcCamera.open(new SimulatedVimc(), { libcameraIPA: libcameraVimcIPA(empty) })).rejects.toThrow('the vimc IPA refused to start (init returned -22)');
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  }, 30_000);

  it.skipIf(!kit)('refuses the options libcameraIPA stands in for, and a thread or direct IPA, naming them', async () => {
    const fdsBefore = openFds();
    const libcameraIPA = libcameraVimcIPA();
    await expect(VimcCamera.open(new SimulatedVimc(), { libcameraIPA, ipaModule: 'ipa.js', sandbox: false }))
      .rejects.toThrow("libcameraIPA names libcamera's IPA module and worker itself: leave out ipaModule, sandbox");
    await expect(VimcCamera.open(new SimulatedVimc(), { libcameraIPA, isolation: 'thread' }))
      .rejects.toThrow("libcameraIPA runs libcamera's IPA in libcamera's worker process: isolation must be 'process', not 'thread'");
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  });
});
