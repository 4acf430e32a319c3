import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveChildren, openFds, root, runtime } from './support';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from '../dist/platforms/vimc/contract.js';
import { VimcCamera } from '../dist/platforms/vimc/pipeline.js';
import { SimulatedVimc } from '../dist/platforms/vimc/simulated/graph.js';

const { createProxy, SharedFD, SharedMemory, FrameBufferPlane, IPACrashedError, IPARecoveryError, IPATimeoutError, controls, controlIds, ControlList } = runtime;
type Proxy = runtime.IPAProxy<IPAVimcInterface>;

const testIpa = path.join(root, 'dist/test/contracts/vimc-test-ipa.js');
const failsToRestart = path.join(root, 'dist/test/contracts/fails-to-restart-ipa.js');
const policy = { maxRestarts: 3, backoffMs: 10 };
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  fs.rmSync(brokenMarker, { force: true });
});
/** Once this file exists, fails-to-restart-ipa refuses to load, with its text as the reason. */
const brokenMarker = path.join(os.tmpdir(), `ts-ipa-broken-${process.pid}`);

const sensorInfo = {
  model: 'sensor', bitsPerPixel: 8, cfaPattern: 0,
  activeAreaSize: { width: 640, height: 480 }, analogCrop: { x: 0, y: 0, width: 640, height: 480 },
  outputSize: { width: 640, height: 480 }, pixelRate: 100_000_000n,
  minLineLength: 640, maxLineLength: 1280, minFrameLength: 480, maxFrameLength: 960,
};

/** A proxy with an IPA set up as a pipeline handler sets one up: init with a trace fd, configure, two buffers, start. */
async function setUp(isolation: 'thread' | 'process', module = testIpa) {
  const sandbox = { env: { TS_IPA_TEST_BROKEN_MARKER: brokenMarker }, allowRead: [os.tmpdir()] };
  const ipa: Proxy = await createProxy(IPAVimcInterface, { module, isolation, recovery: policy, timeoutMs: 1000, sandbox });
  closers.push(() => ipa.close());
  const trace = SharedMemory.create('trace', 0);
  fs.writeSync(trace.fd, Buffer.from([0x5a]), 0, 1, 0);
  const buffers = [SharedMemory.create('b1', 4096), SharedMemory.create('b2', 4096)];
  closers.push(() => [trace, ...buffers].forEach((m) => m.close()));
  expect((await ipa.init({ configurationFile: '', sensorModel: 'sensor' }, new SharedFD(trace.fd), IPAOperationCode.IPAOperationInit, TestFlag.Flag1)).ret).toBe(0);
  expect(await ipa.configure(sensorInfo, new Map([[0, { pixelFormat: 1, size: { width: 320, height: 240 } }]]), new Map())).toBe(320 + 480);
  await ipa.mapBuffers(buffers.map((m, i) => ({ id: i + 1, planes: [new FrameBufferPlane(new SharedFD(m.fd), 0, 4096)] })));
  expect(await ipa.start()).toBe(0);
  const traceBytes = () => [...fs.readFileSync(`/proc/self/fd/${trace.fd}`)];
  return { ipa, buffers, traceBytes };
}

function kill(ipa: Proxy, isolation: 'thread' | 'process'): void {
  const channel = (ipa as unknown as { channel: { worker: { kill?(s: string): void; terminate?(): void } } }).channel;
  if (isolation === 'process') channel.worker.kill!('SIGKILL');
  else void channel.worker.terminate!();
}

for (const isolation of ['process', 'thread'] as const) {
  describe(`recovery, isolation '${isolation}'`, () => {
    it('a killed worker is restarted and init, configure, mapBuffers (same fds) and start are replayed', async () => {
      const { ipa, buffers, traceBytes } = await setUp(isolation);
      expect(traceBytes()).toEqual([0x5a, IPAOperationCode.IPAOperationInit, IPAOperationCode.IPAOperationStart]);
      for (const b of buffers) new Uint8Array(b.map()).fill(0);
      const events: string[] = [];
      ipa.on('crashed', () => events.push('crashed'));
      const recovered = new Promise<{ restarts: number; cause: Error }>((resolve) => ipa.on('recovered', resolve));
      kill(ipa, isolation);
      const info = await recovered;
      expect(info.restarts).toBe(1);
      expect(info.cause).toBeInstanceOf(IPACrashedError);
      expect(events).toEqual(['crashed']);
      // The new IPA was initialised with the same trace fd (1: Init) and started (2: Start); it
      // mapped the same memory.
      expect(traceBytes()).toEqual([0x5a, 1, 2, 1, 2]);
      expect(buffers.map((b) => new Uint8Array(b.map())[7])).toEqual([1, 2]);
      // And it works: frames go through, the configuration is the one replayed.
      const computed = new Promise((resolve) => ipa.on('paramsComputed', (id, flags) => resolve([id, flags])));
      ipa.queueRequest(0, new ControlList(controlIds).set(controls.Brightness, 0.5));
      ipa.computeParams(0, 2);
      expect(await computed).toEqual([2, TestFlag.Flag1]);
      expect(new Uint8Array(buffers[1]!.map())[0]).toBe(0);
    });

    it('calls in flight at the crash reject and are not retried; calls made during the restart wait for it', async () => {
      const { ipa, traceBytes } = await setUp(isolation);
      const hung = ipa.configure({ ...sensorInfo, model: 'hang' }, new Map(), new Map());
      await new Promise((resolve) => setTimeout(resolve, 20));
      kill(ipa, isolation);
      await expect(hung).rejects.toThrow(IPACrashedError);
      // Made while the worker restarts: runs on the new IPA, after the replay.
      expect(await ipa.start()).toBe(0);
      expect(traceBytes()).toEqual([0x5a, 1, 2, 1, 2, 2]);
      // The hung configure never succeeded, so the replay used the one before it.
      expect(await ipa.configure(sensorInfo, new Map([[0, { pixelFormat: 1, size: { width: 100, height: 1 } }]]), new Map())).toBe(100 + 480);
    });
  });
}

describe('recovery limits', () => {
  it('a hung worker (call timeout) is ended and brought back too', async () => {
    const { ipa, traceBytes } = await setUp('process');
    const recovered = new Promise((resolve) => ipa.on('recovered', resolve));
    await expect(ipa.configure({ ...sensorInfo, model: 'hang' }, new Map(), new Map())).rejects.toThrow(IPATimeoutError);
    await recovered;
    expect(traceBytes()).toEqual([0x5a, 1, 2, 1, 2]);
  });

  it('a module that crashes at every start is restarted maxRestarts times, then the proxy says why', async () => {
    const { ipa } = await setUp('process', failsToRestart);
    fs.writeFileSync(brokenMarker, 'corrupt file');
    const failed = new Promise<runtime.IPARecoveryError>((resolve) => ipa.on('recoveryFailed', resolve));
    const crashes: Error[] = [];
    ipa.on('crashed', (error) => crashes.push(error));
    kill(ipa, 'process');
    const error = await failed;
    expect(error).toBeInstanceOf(IPARecoveryError);
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/^the IPA could not be brought back after 3 restarts: the IPA worker exited with code 1 \(loading the module: .*this module is broken \(corrupt file\)\)$/);
    expect(crashes).toHaveLength(1); // the restarted workers never greeted: they were not the proxy's yet
    await expect(ipa.start()).rejects.toBe(error);
    expect(ipa.failure).toBe(error);
    expect(liveChildren()).toEqual([]);
  });

  it('a worker that stayed up stableAfterMs counts as a new start: the bound is on restarts in a row', async () => {
    const ipa: Proxy = await createProxy(IPAVimcInterface, { module: testIpa, isolation: 'process', recovery: { maxRestarts: 1, backoffMs: 5, stableAfterMs: 3000 } });
    closers.push(() => ipa.close());
    const outcomes: string[] = [];
    ipa.on('recovered', (info) => outcomes.push(`recovered after ${info.restarts}`));
    ipa.on('recoveryFailed', () => outcomes.push('gave up'));
    const crashAndSettle = async () => {
      let settle = () => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      ipa.on('recovered', settle);
      ipa.on('recoveryFailed', settle);
      kill(ipa, 'process');
      await settled;
      ipa.off('recovered', settle);
      ipa.off('recoveryFailed', settle);
    };
    await crashAndSettle();
    // Margins a loaded machine keeps: 3.2 s is past stableAfterMs; a kill noticed at once is well inside it.
    await new Promise((resolve) => setTimeout(resolve, 3200)); // up long enough
    await crashAndSettle();
    await crashAndSettle(); // at once: a second restart in a row, past the bound of 1
    expect(outcomes).toEqual(['recovered after 1', 'recovered after 1', 'gave up']);
  });

  it('a replayed call that fails where it had succeeded counts as a failed restart', async () => {
    const { ipa } = await setUp('process', failsToRestart);
    fs.writeFileSync(brokenMarker, 'refuses init');
    const failed = new Promise<runtime.IPARecoveryError>((resolve) => ipa.on('recoveryFailed', resolve));
    kill(ipa, 'process');
    expect((await failed).message).toBe('the IPA could not be brought back after 3 restarts: replaying init returned -22 where it had returned 0');
    expect(liveChildren()).toEqual([]);
  });

  it('a policy that cannot work is refused before any worker starts', async () => {
    const before = liveChildren();
    for (const [recovery, message] of [
      [{ maxRestarts: -1 }, 'recovery.maxRestarts must be an integer ≥ 0, not -1'],
      [{ maxRestarts: 1.5 }, 'recovery.maxRestarts must be an integer ≥ 0, not 1.5'],
      [{ maxRestarts: 2, backoffMs: Number.NaN }, 'recovery.backoffMs must be a number of milliseconds ≥ 0, not NaN'],
      [{ maxRestarts: 2, stableAfterMs: -5 }, 'recovery.stableAfterMs must be a number of milliseconds ≥ 0, not -5'],
    ] as const) {
      await expect(createProxy(IPAVimcInterface, { module: testIpa, isolation: 'process', recovery })).rejects.toThrow(new RangeError(message));
    }
    expect(liveChildren()).toEqual(before);
  });

  it('backs off: 10, 20, 40 ms before the three restarts', async () => {
    const { ipa } = await setUp('process', failsToRestart);
    fs.writeFileSync(brokenMarker, 'again');
    const killedAt = Date.now();
    const failed = new Promise((resolve) => ipa.on('recoveryFailed', resolve));
    kill(ipa, 'process');
    await failed;
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(70);
  });

  it('closed while restarting: calls that waited fail as on a closed proxy, and no worker is left', async () => {
    const { ipa } = await setUp('process');
    (ipa as unknown as { channel: { worker: { kill(s: string): void } } }).channel.worker.kill('SIGKILL');
    await new Promise((resolve) => ipa.on('crashed', resolve));
    const waiting = ipa.start(); // waits for the restart, 10 ms of back-off away
    await ipa.close();
    await expect(waiting).rejects.toThrow(runtime.IPAClosedError);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(liveChildren()).toEqual([]);
  });

  it('leaves no fds and no processes behind', async () => {
    const fdsBefore = openFds();
    const { ipa } = await setUp('process');
    for (let i = 0; i < 3; i++) {
      const recovered = new Promise((resolve) => ipa.on('recovered', resolve));
      kill(ipa, 'process');
      await recovered;
    }
    for (const close of closers.splice(0).reverse()) await close();
    expect(liveChildren()).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  });
});

describe('recovery in a frame loop', () => {
  it('kill -9 during capture: the loop resumes within the policy bound, with the IPA set up again', async () => {
    const vimc = new SimulatedVimc({ frameRate: 120 });
    const camera = await VimcCamera.open(vimc, { isolation: 'process', recovery: { maxRestarts: 2, backoffMs: 20 } });
    closers.push(() => camera.close());
    const config = camera.generateConfiguration();
    await camera.configure(config);
    await camera.start();
    const results: ('ok' | 'failed')[] = [];
    let brightAfterRecovery: number | undefined;
    let recoveredAt = 0;
    let firstFrameAfter = 0;
    camera.ipa.on('recovered', () => { recoveredAt = Date.now(); });
    let killedAt = 0;
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        const bright = results.length > 40 && recoveredAt > 0;
        camera.capture(bright ? new ControlList(controlIds).set(controls.Brightness, 0.25) : undefined).then((frame) => {
          if (recoveredAt > 0 && !firstFrameAfter) firstFrameAfter = Date.now();
          if (bright) brightAfterRecovery = frame.params.brightness;
          results.push('ok');
          // The IPA measured this frame's buffer: it has the buffers and the stream size again.
          if (recoveredAt > 0) expect(frame.params.previousMean).toBeDefined();
          frame.release();
          if (results.length === 20) {
            killedAt = Date.now();
            (camera.ipa as unknown as { channel: { worker: { kill(s: string): void } } }).channel.worker.kill('SIGKILL');
          }
          if (results.filter((r) => r === 'ok').length >= 60) resolve();
          else next();
        }, (error: unknown) => {
          if (!(error instanceof IPACrashedError)) return reject(error);
          results.push('failed');
          next();
        });
      };
      for (let i = 0; i < config.bufferCount; i++) next();
    });
    expect(results.filter((r) => r === 'failed').length).toBeLessThanOrEqual(config.bufferCount);
    expect(recoveredAt).toBeGreaterThan(killedAt);
    // One restart after 20 ms of back-off, plus starting Node: well within a second here.
    expect(firstFrameAfter - killedAt).toBeLessThan(1500);
    expect(brightAfterRecovery).toBe(160);
  });
});
