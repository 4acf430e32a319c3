import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { root, runtime } from './support';
import { unsupportedNodeNote } from '../dist/runtime/node-support.js';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from '../dist/platforms/vimc/contract.js';

const {
  createProxy, SharedFD, SharedMemory, FrameBufferPlane, ControlList, ControlInfoMap, ControlInfo, ControlValue,
  controls, controlIds, IPACrashedError, IPAClosedError, ContractError,
} = runtime;
type Proxy = runtime.IPAProxy<IPAVimcInterface>;

const testIpa = path.join(root, 'dist/test/contracts/vimc-test-ipa.js');
const proxies: Proxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function open(isolation: runtime.Isolation, timeoutMs?: number): Promise<Proxy> {
  const proxy = await createProxy(IPAVimcInterface, { module: testIpa, isolation, timeoutMs });
  proxies.push(proxy);
  return proxy;
}

const sensorInfo = {
  model: 'sensor', bitsPerPixel: 8, cfaPattern: 0,
  activeAreaSize: { width: 640, height: 480 }, analogCrop: { x: 0, y: 0, width: 640, height: 480 },
  outputSize: { width: 640, height: 480 }, pixelRate: 100_000_000n,
  minLineLength: 640, maxLineLength: 1280, minFrameLength: 480, maxFrameLength: 960,
};

const traceOf = (memory: runtime.SharedMemory): number[] => {
  const buffer = Buffer.alloc(16);
  const n = fs.readSync(memory.fd, buffer, 0, 16, 0);
  return [...buffer.subarray(0, n)];
};

for (const isolation of ['direct', 'thread', 'process'] as const) {
  describe(`the vimc contract, isolation '${isolation}'`, () => {
    it('runs a session: init with an fd, configure, map buffers, frames with events, stop', async () => {
      const ipa = await open(isolation);
      expect(ipa.isolation).toBe(isolation);
      const trace = SharedMemory.create('trace', 0);
      fs.writeSync(trace.fd, Buffer.from([0x5a]), 0, 1, 0);

      const init = await ipa.init({ configurationFile: 'vimc.conf', sensorModel: 'sensor' }, new SharedFD(trace.fd), IPAOperationCode.IPAOperationInit, TestFlag.Flag1 | TestFlag.Flag2);
      expect(init).toEqual({ ret: 0, outFlags: TestFlag.Flag1 | TestFlag.Flag2 | TestFlag.Flag4 });
      expect(traceOf(trace)).toEqual([0x5a, IPAOperationCode.IPAOperationInit]);

      const sensorControls = new ControlInfoMap([[controls.ExposureTime, new ControlInfo(ControlValue.i32(1), ControlValue.i32(33000), ControlValue.i32(10000))]], controlIds);
      const configured = await ipa.configure(sensorInfo, new Map([[0, { pixelFormat: 0x34325258, size: { width: 1920, height: 1080 } }]]), new Map([[1, sensorControls]]));
      expect(configured).toBe(1920 + 480 + 33000);

      const frames = [SharedMemory.create('frame0', 4096), SharedMemory.create('frame1', 4096)];
      await ipa.mapBuffers(frames.map((memory, i) => ({ id: i + 1, planes: [new FrameBufferPlane(new SharedFD(memory.fd), 0, 4096)] })));
      expect(new Uint8Array(frames[1]!.map())[100]).toBe(2);

      expect(await ipa.start()).toBe(0);
      const computed: [number, number][] = [];
      ipa.on('paramsComputed', (bufferId, flags) => computed.push([bufferId, flags]));
      for (let frame = 0; frame < 4; frame++) {
        ipa.queueRequest(frame, new ControlList(controlIds).set(controls.Brightness, frame % 2 ? 0.5 : -0.5));
        ipa.computeParams(frame, (frame % 2) + 1);
      }
      await ipa.unmapBuffers([]); // a sync call after one-way calls: they have all run
      await new Promise((resolve) => setImmediate(resolve));
      expect(computed).toEqual([[1, TestFlag.Flag2], [2, TestFlag.Flag1], [1, TestFlag.Flag2], [2, TestFlag.Flag1]]);
      expect(new Uint8Array(frames[0]!.map())[0]).toBe(2); // frame 2 wrote into buffer 1

      await ipa.stop();
      expect(traceOf(trace)).toEqual([0x5a, 1, 2, 3]);
      await ipa.unmapBuffers([1, 2]);
      for (const memory of [trace, ...frames]) memory.close();
    });

    it('keeps 1 000 000 one-way calls in order, then answers a sync call', async () => {
      // The sync call waits behind all of them: its timeout must allow for that.
      const ipa = await open(isolation, 60_000);
      await ipa.start();
      const computed: number[] = [];
      ipa.on('paramsComputed', (bufferId) => computed.push(bufferId));
      for (let i = 0; i < 1_000_000; i++) ipa.computeParams(i, i & 0xffff);
      expect(await ipa.start()).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(computed.length).toBe(1_000_000);
      expect(computed.every((id, i) => id === (i & 0xffff))).toBe(true);
    }, 60000);

    it('closes: calls then fail with IPAClosedError', async () => {
      const ipa = await open(isolation);
      await ipa.close();
      await expect(ipa.start()).rejects.toThrow(IPAClosedError);
    });
  });
}

describe('isolation failures', () => {
  it('a worker does not outlive the process that started it, even one killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, [path.join(root, 'test/fixtures/proxy-parent.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const workerPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    expect(fs.existsSync(`/proc/${workerPid}`)).toBe(true);
    parent.kill('SIGKILL');
    const gone = await new Promise<boolean>((resolve) => {
      const started = Date.now();
      const check = () => {
        // A zombie is gone for good: its parent (init, or a subreaper) reaps it.
        const state = fs.existsSync(`/proc/${workerPid}/stat`) ? fs.readFileSync(`/proc/${workerPid}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
        if (state === 'gone' || state === 'Z') resolve(true);
        else if (Date.now() - started > 5000) resolve(false);
        else setTimeout(check, 20);
      };
      check();
    });
    expect(gone).toBe(true);
  });

  it("a worker process's helper threads run at the lowest priority, the thread answering calls at its own", async () => {
    const ipa = await open('process');
    await ipa.start();
    const pid = (ipa as unknown as { channel: InstanceType<typeof runtime.IPCPipeUnixSocket> }).channel.worker.pid!;
    // Field 19 of /proc/<pid>/task/<tid>/stat, counted after the parenthesised command name.
    const niceOf = (tid: string) => Number(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const tids = fs.readdirSync(`/proc/${pid}/task`);
    const helpers = tids.filter((tid) => Number(tid) !== pid);
    expect(niceOf(String(pid))).toBe(0);
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.map(niceOf)).toEqual(helpers.map(() => 19));
  });

  it('yieldHelperThreads() lowers every thread of an application but its main thread, and refuses a worker thread', () => {
    const script = `
      const { yieldHelperThreads } = require(${JSON.stringify(path.join(root, 'dist/runtime'))});
      const { Worker } = require('node:worker_threads');
      const fs = require('node:fs');
      const changed = yieldHelperThreads();
      const nice = (tid) => Number(fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
      const tids = fs.readdirSync('/proc/self/task').filter((tid) => Number(tid) !== process.pid);
      const worker = new Worker('try { require(process.argv[2]).yieldHelperThreads(); } catch (e) { require("node:worker_threads").parentPort.postMessage(e.message); }', { eval: true, argv: [${JSON.stringify(path.join(root, 'dist/runtime'))}] });
      worker.once('message', (refusal) => {
        console.log(JSON.stringify({ changed, main: nice(process.pid), helpers: tids.map(nice), refusal }));
        worker.terminate();
      });`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(result.changed).toBe(result.helpers.length);
    expect(result.changed).toBeGreaterThan(0);
    expect(result.main).toBe(0);
    expect(new Set(result.helpers)).toEqual(new Set([19]));
    expect(result.refusal).toMatch(/call it from the main thread/);
  });

  it('a worker process killed mid-call: the call rejects at once and the proxy reports the crash', async () => {
    const ipa = await open('process');
    await ipa.start();
    const crashed = new Promise((resolve) => ipa.on('crashed', resolve));
    const pipe = (ipa as unknown as { channel: InstanceType<typeof runtime.IPCPipeUnixSocket> }).channel;
    const call = ipa.configure({ ...sensorInfo, model: 'hang' }, new Map(), new Map());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const killedAt = Date.now();
    pipe.worker.kill('SIGKILL');
    await expect(call).rejects.toThrow(IPACrashedError);
    // At once means on the worker's exit, not at the 2 s call timeout (a loaded machine may take a few hundred ms).
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(await crashed).toBeInstanceOf(IPACrashedError);
    await expect(ipa.start()).rejects.toThrow('the IPA worker was killed by SIGKILL');
  });

  it('a worker thread that ends mid-call: the same', async () => {
    const ipa = await open('thread');
    await ipa.start();
    const pipe = (ipa as unknown as { channel: InstanceType<typeof runtime.ThreadPipe> }).channel;
    const call = ipa.configure({ ...sensorInfo, model: 'hang' }, new Map(), new Map());
    await new Promise((resolve) => setTimeout(resolve, 20));
    void pipe.worker.terminate();
    await expect(call).rejects.toThrow(IPACrashedError);
    await expect(ipa.start()).rejects.toThrow(IPACrashedError);
  });

  for (const isolation of ['direct', 'thread', 'process'] as const) {
    it(`an IPA that throws is a crashed IPA (${isolation})`, async () => {
      const ipa = await open(isolation);
      const crashed = new Promise((resolve) => ipa.on('crashed', resolve));
      const call = ipa.unmapBuffers([0xdeadbeef]);
      await expect(call).rejects.toThrow(IPACrashedError);
      // The crash says why, in every mode: the IPA's own error travels back with it.
      await expect(call).rejects.toThrow('no buffer 3735928559');
      expect(await crashed).toBeInstanceOf(IPACrashedError);
      expect(ipa.failure).toBeInstanceOf(IPACrashedError);
    });
  }

  for (const isolation of ['thread', 'process'] as const) {
    it(`a hung IPA (${isolation}): the call times out, the worker is ended, calls fail fast until a restart`, async () => {
      const ipa = await open(isolation, 100);
      const crashed = new Promise((resolve) => ipa.on('crashed', resolve));
      await expect(ipa.configure({ ...sensorInfo, model: 'hang' }, new Map(), new Map())).rejects.toThrow('configure: no reply within 100 ms');
      expect(await crashed).toBeInstanceOf(IPACrashedError);
      await expect(ipa.start()).rejects.toThrow(IPACrashedError);
      await ipa.restart();
      expect(await ipa.start()).toBe(0);
    });
  }

  for (const isolation of ['direct', 'thread', 'process'] as const) {
    it(`a crashed IPA can be restarted (${isolation})`, async () => {
      const ipa = await open(isolation);
      await expect(ipa.unmapBuffers([0xdeadbeef])).rejects.toThrow(IPACrashedError);
      await expect(ipa.start()).rejects.toThrow(IPACrashedError);
      await ipa.restart();
      expect(ipa.failure).toBeUndefined();
      expect(await ipa.start()).toBe(0);
      const computed: number[] = [];
      ipa.on('paramsComputed', (bufferId) => computed.push(bufferId));
      ipa.computeParams(1, 7);
      await ipa.unmapBuffers([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(computed).toEqual([7]);
    });
  }

  it('bad input is refused where it is sent, with the field named', async () => {
    const ipa = await open('process');
    await expect(ipa.configure({ ...sensorInfo, outputSize: undefined as never }, new Map(), new Map()))
      .rejects.toThrow('cannot encode IPACameraSensorInfo: expected a IPACameraSensorInfo object'.replace('IPACameraSensorInfo object', 'Size object').replace('IPACameraSensorInfo:', 'Size:'));
    expect(await ipa.start()).toBe(0);
  });

  it('a worker built from another contract is refused at the handshake', async () => {
    await expect(createProxy(IPAVimcInterface, { module: path.join(root, 'dist/test/contracts/golden-ipa.js'), isolation: 'process' }))
      .rejects.toThrow(ContractError);
    await expect(createProxy(IPAVimcInterface, { module: path.join(root, 'dist/test/contracts/golden-ipa.js'), isolation: 'process' }))
      .rejects.toThrow(/the IPA worker was built from another contract: its model hash is [0-9a-f]{16}, the proxy's [0-9a-f]{16}/);
  });

  it('a module that does not exist: the worker says why and the proxy rejects', async () => {
    await expect(createProxy(IPAVimcInterface, { module: '/nonexistent/ipa.js', isolation: 'process' })).rejects.toThrow('the IPA worker exited with code 1');
  });

  it('a worker that dies before it can say why on its socket: the crash quotes its last lines on stderr', async () => {
    // Node refuses the option before any of ts-ipa runs: only its stderr says so.
    const workerCommand = [process.execPath, '--no-such-option', path.join(root, 'dist/runtime/worker/host.js')] as const;
    const started = createProxy(IPAVimcInterface, { module: testIpa, isolation: 'process', workerCommand, sandbox: false });
    await expect(started).rejects.toThrow(/^the IPA worker exited with code 9 \(.*bad option: --no-such-option\)$/);
  });

  it("a crash on a Node outside package.json's engines says so, after what the worker said", () => {
    const range = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node as string;
    expect(unsupportedNodeNote(process.versions.node)).toBeUndefined();
    for (const supported of ['20.20.0', '22.18.0', '22.23.5', '24.0.0', '26.12.1']) expect(unsupportedNodeNote(supported)).toBeUndefined();
    for (const unsupported of ['20.10.0', '20.19.5', '22.12.0', '22.17.9', '23.11.0', '28.0.0']) {
      expect(unsupportedNodeNote(unsupported)).toBe(`Node ${unsupported} is not one ts-ipa supports (${range})`);
    }
    // A range not written as ^x.y.z alternatives is not guessed at.
    expect(unsupportedNodeNote('18.0.0', '>=18')).toBeUndefined();
  });
});
