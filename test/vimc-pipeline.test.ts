import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cameraSuite } from './camera-suite';
import { vimcExpectations } from './platforms/vimc-support';
import { openFds, root } from './support';
import { VimcCamera } from '../dist/platforms/vimc/pipeline.js';
import { SimulatedVimc } from '../dist/platforms/vimc/simulated/graph.js';

cameraSuite('the vimc pipeline on the simulated vimc', vimcExpectations(() => new SimulatedVimc({ frameRate: 120 })), ['direct', 'thread', 'process']);

describe('the vimc pipeline, misuse', () => {
  it('refuses to capture before start and to configure while streaming, with errors that say so', async () => {
    const camera = await VimcCamera.open(new SimulatedVimc({ frameRate: 120 }), { isolation: 'direct' });
    try {
      await expect(camera.capture()).rejects.toThrow('capture: start the camera first');
      await expect(camera.start()).rejects.toThrow('start: configure the camera first');
      const config = camera.generateConfiguration();
      config.size = { width: 5000, height: 7 };
      expect(camera.validate(config)).toBe('adjusted');
      expect(config.size).toEqual({ width: 4096, height: 16 });
      await camera.configure(config);
      await camera.start();
      await expect(camera.configure(config)).rejects.toThrow('configure: the camera is streaming; stop it first');
      const pending = camera.capture();
      await camera.stop();
      await expect(pending).rejects.toThrow('the camera was stopped');
    } finally {
      await camera.close();
    }
  });

  it('an IPA that refuses to start fails open() with the reason, leaving no worker and no fd behind', async () => {
    const before = openFds();
    const opening = VimcCamera.open(new SimulatedVimc(), { isolation: 'process', ipaModule: path.join(root, 'dist/test/contracts/refusing-vimc-ipa.js') });
    await expect(opening).rejects.toThrow('the vimc IPA refused to start (init returned -22)');
    expect(openFds()).toBe(before);
    const crashing = VimcCamera.open(new SimulatedVimc(), { isolation: 'process', ipaModule: path.join(root, 'dist/test/contracts/crashing-vimc-ipa.js') });
    await expect(crashing).rejects.toThrow('the IPA worker exited with code 1 (init: no tuning for this sensor)');
    expect(openFds()).toBe(before);
  });

  it('rejects the requests in flight when the isolated IPA dies, and says why', async () => {
    const camera = await VimcCamera.open(new SimulatedVimc({ frameRate: 60 }), { isolation: 'process' });
    try {
      const config = camera.generateConfiguration();
      config.size = { width: 160, height: 120 };
      await camera.configure(config);
      await camera.start();
      const { worker } = (camera.ipa as unknown as { channel: { worker: { kill(signal: string): void } } }).channel;
      const frames = Array.from({ length: 8 }, () => camera.capture());
      worker.kill('SIGKILL');
      const results = await Promise.allSettled(frames);
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(failed.length).toBeGreaterThan(0);
      expect(String(failed[0]!.reason)).toContain('the IPA worker was killed by SIGKILL');
    } finally {
      await camera.close();
    }
  });
});
