/**
 * Attacks on the pipeline handler through what the IPA sends back and through what it does not:
 * events with values no honest IPA sends, parameters out of every range, and an IPA that stops
 * answering (stopped, spinning, or silently dropping frames). Each runs through the real
 * IPAManager and the default sandbox, on the simulated vimc.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { root, runtime } from '../support';
import { baseline, expectUnharmed, managerFor, scratch, vimcModule, writeModule } from './harness';
import { VimcCamera } from '../../dist/platforms/vimc/pipeline.js';
import { SimulatedVimc } from '../../dist/platforms/vimc/simulated/graph.js';

const work = scratch('pipeline');
afterAll(() => work.cleanup());
const cameras: VimcCamera[] = [];
afterEach(async () => {
  await Promise.all(cameras.splice(0).map((c) => c.close()));
});

/** The vimc IPA's own computeParams, so that a module can answer honestly when it wants to. */
const honestParams = `
  const { writeParams } = require(${JSON.stringify(path.join(root, 'dist/platforms/vimc/params.js'))});
  const views = new Map();
  const { SharedMemory } = require(${JSON.stringify(path.join(root, 'dist/runtime/index.js'))});
`;
const mapParams = `
  mapBuffers(buffers) {
    for (const b of buffers) {
      if (b.id !== 0x10000) continue;
      const memory = SharedMemory.fromFd(b.planes[0].fd.dup().fd);
      views.set(b.id, new Uint8Array(memory.map(0, b.planes[0].length)));
      memory.close();
    }
  },`;

let moduleCount = 0;
/** A module directory of its own for each attack, and a camera on the simulated vimc that runs it. */
async function cameraWith(methods: string, options: { prelude?: string; recovery?: runtime.RecoveryPolicy; timeoutMs?: number } = {}) {
  const dir = path.join(work.dir, `attack-${++moduleCount}`);
  writeModule(dir, 'hostile', { entry: vimcModule({ prelude: options.prelude, methods }) });
  const camera = await VimcCamera.open(new SimulatedVimc(), {
    manager: managerFor(dir), isolation: 'thread', recovery: options.recovery, timeoutMs: options.timeoutMs ?? 1500,
  });
  cameras.push(camera);
  expect(camera.ipa.isolation).toBe('process');
  const config = camera.generateConfiguration();
  config.size = { width: 160, height: 120 };
  await camera.configure(config);
  return { camera, dir };
}

/**
 * Settles two captures (vimc streams only once two buffers are queued) and tells the first: the
 * frame's brightness, or the error's name and message.
 */
async function outcome(camera: VimcCamera) {
  const [first] = await Promise.allSettled([0, 1].map(() => camera.capture().then((frame) => {
    frame.release();
    return frame.params.brightness;
  })));
  return first!.status === 'fulfilled' ? { ok: first!.value } : { error: `${first!.reason.name}: ${first!.reason.message}` };
}

describe('values an IPA sends back are checked, never trusted', () => {
  it('paramsComputed for a buffer that does not exist, or is not waiting, fails nothing but the IPA\'s word', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`
      computeParams(frame, bufferId) {
        events.paramsComputed(0xdeadbeef, 0);
        events.paramsComputed(bufferId % 4 + 17, 0);
        events.paramsComputed(0, 0);
      },`);
    const reports: Error[] = [];
    camera.ipa.on('protocolError' as never, ((error: Error) => reports.push(error)) as never);
    await camera.start();
    const result = await outcome(camera);
    expect(result.error).toMatch(/^IPATimeoutError: computeParams for request 0: no reply within 1500 ms/);
    expect(reports.map((e) => e.message)).toContain('the IPA sent paramsComputed for buffer 3735928559, which is not waiting for parameters');
    await camera.close();
    await expectUnharmed(before);
  });

  it('paramsComputed before the camera started is refused, not a TypeError', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`
      configure() { events.paramsComputed(1, 0); return 0; },`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await camera.start();
    expect((await outcome(camera)).error).toMatch(/^IPATimeoutError/);
    await camera.close();
    await expectUnharmed(before);
  });

  it('parameters outside the sensor controls\' ranges fail that frame with the values named', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`${mapParams}
      computeParams(frame, bufferId) {
        writeParams(views.get(0x10000), bufferId, { frame, brightness: 1e9, contrast: -5, saturation: 128, previousMean: undefined });
        events.paramsComputed(bufferId, 0);
      },`, { prelude: honestParams });
    await camera.start();
    expect((await outcome(camera)).error).toMatch(/^CameraError: the IPA asked for brightness 1000000000, outside the sensor's \[0, 255\], for request 0$/);
    await camera.close();
    await expectUnharmed(before);
  });
});

describe('an IPA that stops answering is hung: its frames fail, its worker ends, recovery brings it back', () => {
  it('a worker that spins inside computeParams: IPATimeoutError, the worker is ended, a restart answers', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`${mapParams}
      computeParams(frame, bufferId) {
        if (frame === 0) for (;;) {}
        writeParams(views.get(0x10000), bufferId, { frame, brightness: 100, contrast: 100, saturation: 100, previousMean: undefined });
        events.paramsComputed(bufferId, 0);
      },`, { prelude: honestParams, recovery: { maxRestarts: 2, backoffMs: 10 } });
    const recovered = new Promise((resolve) => camera.ipa.on('recovered', resolve));
    await camera.start();
    const started = Date.now();
    expect((await outcome(camera)).error).toMatch(/^IPATimeoutError: computeParams for request 0: no reply within 1500 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    await recovered;
    // The new worker answers the next request (frame 1) as any honest IPA would.
    expect((await outcome(camera)).ok).toBe(100);
    await camera.close();
    await expectUnharmed(before);
  });

  it('a worker stopped by SIGSTOP: the frame fails as hung and the stopped worker is ended', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`${mapParams}
      computeParams(frame, bufferId) {
        writeParams(views.get(0x10000), bufferId, { frame, brightness: 100, contrast: 100, saturation: 100, previousMean: undefined });
        events.paramsComputed(bufferId, 0);
      },`, { prelude: honestParams });
    await camera.start();
    expect((await outcome(camera)).ok).toBe(100);
    const crashed = new Promise<Error>((resolve) => camera.ipa.on('crashed', resolve));
    const pid = (camera.ipa as unknown as { channel: { worker: { pid: number } } }).channel.worker.pid;
    process.kill(pid, 'SIGSTOP');
    expect((await outcome(camera)).error).toMatch(/^IPATimeoutError: computeParams for request 2: no reply within 1500 ms$/);
    expect((await crashed).message).toMatch(/killed by SIGKILL \(killed: computeParams for request 2 got no reply within 1500 ms\)/);
    await camera.close();
    await expectUnharmed(before);
  });

  it('a worker that silently drops frames is hung too; close() on a hung IPA closes', async () => {
    const before = baseline();
    const { camera } = await cameraWith(`computeParams() {},`);
    await camera.start();
    expect((await outcome(camera)).error).toMatch(/^IPATimeoutError/);
    await expect(camera.close()).resolves.toBeUndefined();
    await expectUnharmed(before);
  });

  it('an IPA in a crash loop is given up on, and then one-way calls fail with IPARecoveryError as every call does', async () => {
    const before = baseline();
    // Every worker dies 50 ms after configure: each restart comes up (its replay succeeds), then dies again.
    const { camera } = await cameraWith(`configure() { setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50); return 0; },`, {
      recovery: { maxRestarts: 2, backoffMs: 10 },
    });
    const failure = await new Promise<Error>((resolve) => camera.ipa.on('recoveryFailed', resolve));
    expect(failure.name).toBe('IPARecoveryError');
    expect(failure.message).toMatch(/^the IPA crashed again within 10000 ms of each of 2 restarts in a row, so it is not restarted again: the IPA worker was killed by SIGKILL$/);
    expect(() => camera.ipa.queueRequest(0, new runtime.ControlList(runtime.controlIds))).toThrow(failure);
    await expect(camera.start()).rejects.toThrow(failure);
    await camera.close();
    await expectUnharmed(before);
  });
});

describe('ts-ipa capture with a hung IPA', () => {
  it('ends with a clear message and exit code 7, and writes no frame', async () => {
    const dir = path.join(work.dir, 'cli-spinner');
    writeModule(dir, 'spinner', { entry: vimcModule({ methods: 'computeParams() { for (;;) {} },' }) });
    const out = path.join(work.dir, 'cli-frames');
    const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'capture', '--camera', 'simulated', '--frames', '3', '--size', '160x120', '--out', out], {
      env: { ...process.env, [runtime.MODULE_PATH_ENV]: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toMatch(/ts-ipa capture: computeParams for request \d+: no reply within 2000 ms: the IPA is hung, and its worker was ended/);
    expect(code).toBe(7);
  });
});
