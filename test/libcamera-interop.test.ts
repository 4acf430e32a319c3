import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedHex, goldenVectors, openFds, root, runtime } from './support';
import { comparable, driver, entryOrderFree, driverWire, kit, kitMissing, processesMarked, tapWire, zeroUninitialised, type WireMessage } from './libcamera-kit';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from '../dist/platforms/vimc/contract.js';
import { launcherFile } from '../dist/runtime/native.js';

const { createProxy, ControlInfo, ControlInfoMap, ControlList, ControlValue, ControlType, SharedFD, SharedMemory, controls, controlIds, IPATimeoutError, ContractError } = runtime;

/**
 * Real libcamera driving ts-ipa: the prebuilt C++ libcamera kit's `lc-ipa-driver` runs
 * libcamera's own generated isolated vimc proxy against a worker directory; there
 * `vimc_ipa_proxy` starts ts-ipa's worker host with ts-ipa's vimc IPA, as libcamera starts
 * its workers (`<worker> <module.so> <fd>`; the .so is libcamera's, so the IPA is named instead).
 * Every message is compared with those of the same sequence between libcamera's proxy and
 * libcamera's own worker, run just before.
 */
let workerDir: string;
/** Set in every worker's environment, to find any left running. */
const marker = `ts-ipa-interop-${process.pid}`;

beforeAll(() => {
  workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-lc-worker-'));
  const worker = path.join(workerDir, 'vimc_ipa_proxy');
  fs.writeFileSync(worker, `#!/bin/sh\nTS_IPA_INTEROP=${marker} exec "${process.execPath}" "${path.join(root, 'dist/runtime/worker/host.js')}" "${path.join(root, 'dist/platforms/vimc/ipa/index.js')}" "$2"\n`, { mode: 0o755 });
});

afterAll(() => fs.rmSync(workerDir, { recursive: true, force: true }));

describe("libcamera's proxy driving ts-ipa's worker", () => {
  it('finds the libcamera kit', () => {
    expect(kit, kitMissing).toBeDefined();
  });

  for (const unmapped of [false, true]) {
    const extra = unmapped ? ['--unmapped'] : [];
    it(`runs libcamera's whole vimc sequence and answers as libcamera's vimc IPA does${unmapped ? ', computeParams on an unmapped buffer included' : ''}`, () => {
      const { lines, output } = driver('vimc-sequence', '--worker-dir', workerDir, '--wire', ...extra);
      const summary = lines.find((l) => l.summary === 'vimc-sequence');
      // The driver checks every reply and event against what libcamera's own vimc IPA answers.
      expect(summary, output).toEqual({ summary: 'vimc-sequence', ok: true, failures: [] });
      const init = lines.find((l) => l.call === 'init')!;
      expect([init.reply, init.ret, init.outFlags]).toEqual([true, 0, 1]);
      expect(lines.filter((l) => l.event === 'paramsComputed').map((l) => [l.bufferId, l.flags])).toEqual([[1, 0]]);
      expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    }, 150_000);

    it(`sends every message libcamera's own worker sends, byte for byte${unmapped ? ' (with the unmapped buffer)' : ''}`, () => {
      const reference = driver('vimc-sequence', '--wire', ...extra);
      const ours = driver('vimc-sequence', '--worker-dir', workerDir, '--wire', ...extra);
      const expected = driverWire(reference.lines).map(comparable);
      // init's, configure's, mapBuffers', start's, stop's and unmapBuffers' calls and replies,
      // the three queueRequests, computeParams (twice with the unmapped one), paramsComputed, Exit.
      expect(expected).toHaveLength(unmapped ? 19 : 18);
      expect(driverWire(ours.lines).map(comparable), ours.output).toEqual(expected);
    }, 150_000);
  }
});

describe('the wire comparison', () => {
  it("zeroes exactly the bytes libcamera leaves uninitialised in the golden vectors' control packets", () => {
    const withPackets = goldenVectors.filter((v) => v.group === 'controls');
    expect(withPackets.length).toBeGreaterThan(5);
    for (const vector of withPackets) expect(zeroUninitialised(vector.hex), vector.name).toBe(expectedHex(vector));
  });

  it('compares control packets whatever their entry order, each entry with its own data, and nothing else', () => {
    const packet = (write: (w: InstanceType<typeof runtime.Writer>) => void): string => {
      const w = new runtime.Writer(new runtime.ControlSerializer(runtime.ControlSerializerRole.Proxy));
      write(w);
      return Buffer.from(w.result().data).toString('hex');
    };
    const list = (entries: [runtime.ControlId, runtime.ControlValue][]): string => packet((w) => {
      const l = new ControlList(controlIds);
      for (const [id, value] of entries) l.setValue(id.id, value);
      w.controlList(l, 'list');
    });
    const info = (entries: [runtime.ControlId, runtime.ControlInfo][]): string => packet((w) => w.controlInfoMap(new ControlInfoMap(entries, controlIds), 'map'));
    const gains = ControlValue.array(ControlType.Float, [1.5, 2.5]);
    const [a, b] = [list([[controls.ColourGains, gains], [controls.AeEnable, ControlValue.bool(true)]]), list([[controls.AeEnable, ControlValue.bool(true)], [controls.ColourGains, gains]])];
    expect(a).not.toBe(b);
    expect(entryOrderFree(a)).toBe(entryOrderFree(b));
    expect(entryOrderFree(list([[controls.ColourGains, ControlValue.array(ControlType.Float, [2.5, 1.5])], [controls.AeEnable, ControlValue.bool(true)]]))).not.toBe(entryOrderFree(a));
    const exposure = new ControlInfo(ControlValue.i32(1), ControlValue.i32(9), ControlValue.i32(5));
    const ae = new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(true));
    const [c, d] = [info([[controls.ExposureTime, exposure], [controls.AeEnable, ae]]), info([[controls.AeEnable, ae], [controls.ExposureTime, exposure]])];
    expect(c).not.toBe(d);
    expect(entryOrderFree(c)).toBe(entryOrderFree(d));
    expect(entryOrderFree(info([[controls.ExposureTime, new ControlInfo(ControlValue.i32(1), ControlValue.i32(9), ControlValue.i32(6))], [controls.AeEnable, ae]]))).not.toBe(entryOrderFree(c));
  });
});

/**
 * The order libcamera's packets list control entries in: its hash maps' iteration order, which
 * depends on each map's history (a copy may list them otherwise). ts-ipa lists them in insertion
 * order, so the sequence below inserts them in the order of the reference run's messages.
 */
interface EntryOrders {
  configured: number[];
  requestInfo: number[];
  request: number[];
}

function entryOrders(reference: WireMessage[]): EntryOrders {
  const { methods } = runtime.contractCodec(IPAVimcInterface);
  const decode = (cmd: number, method: keyof typeof methods): unknown[] => {
    const message = reference.find((m) => m.dir === 'pipeline->ipa' && Buffer.from(m.hex, 'hex').readUInt32LE(0) === cmd)!;
    const reader = new runtime.Reader(Buffer.from(message.hex, 'hex').subarray(8), [], new runtime.ControlSerializer(runtime.ControlSerializerRole.Worker));
    return methods[method]!.decodeParams(reader) as unknown[];
  };
  const ids = (entries: Iterable<[{ id: number } | number, unknown]>): number[] => [...entries].map(([id]) => (typeof id === 'number' ? id : id.id));
  const [, , entity] = decode(2, 'configure') as [unknown, unknown, Map<number, InstanceType<typeof ControlInfoMap>>];
  const [, list] = decode(7, 'queueRequest') as [number, InstanceType<typeof ControlList>];
  return { configured: ids(entity.get(0)!.entries()), requestInfo: ids((list.infoMap as InstanceType<typeof ControlInfoMap>).entries()), request: ids(list.entries()) };
}

/** libcamera's vimc sequence (lc-ipa-driver's, with the golden vectors' values) from ts-ipa's proxy. */
async function vimcSequence(ipa: InstanceType<typeof IPAVimcInterface> & { close(): Promise<void>; on(event: 'paramsComputed', listener: (id: number, flags: number) => void): unknown }, orders: EntryOrders): Promise<{ results: unknown[]; events: [number, number][]; trace: number[] }> {
  const events: [number, number][] = [];
  let computed: () => void = () => {};
  ipa.on('paramsComputed', (id, flags) => {
    events.push([id, flags]);
    computed();
  });
  const trace = SharedMemory.create('interop-trace', 0);
  const params = SharedMemory.create('interop-params', 8192);
  const infoMap = (order: number[]): InstanceType<typeof ControlInfoMap> => {
    const infos = new Map([
      [14, [controls.Brightness, new ControlInfo(ControlValue.float(-1), ControlValue.float(1), ControlValue.float(0))]],
      [1, [controls.AeEnable, new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(true))]],
      [7, [controls.ExposureTime, new ControlInfo(ControlValue.i32(0), ControlValue.i32(999999), ControlValue.i32(10000))]],
      [27, [controls.ScalerCrop, new ControlInfo(ControlValue.rectangle({ x: 0, y: 0, width: 0, height: 0 }), ControlValue.rectangle({ x: 0, y: 0, width: 640, height: 480 }), ControlValue.rectangle({ x: 0, y: 0, width: 640, height: 480 }))]],
      [20, [controls.ColourGains, new ControlInfo(ControlValue.float(0), ControlValue.float(32))]],
      [3, [controls.AeMeteringMode, new ControlInfo(ControlValue.i32(0), ControlValue.i32(3), ControlValue.i32(0))]],
      [30, [controls.FrameDurationLimits, new ControlInfo(ControlValue.i64(33333n), ControlValue.i64(1000000n), ControlValue.array(ControlType.Integer64, [33333n, 33333n]))]],
    ] as const);
    return new ControlInfoMap(order.map((id) => infos.get(id as never)! as never), controlIds);
  };
  const results: unknown[] = [];
  try {
    results.push(await ipa.init({ configurationFile: 'vimc.conf', sensorModel: 'sensor' }, new SharedFD(trace.fd), IPAOperationCode.IPAOperationInit, TestFlag.Flag2));
    const sensorInfo = {
      model: 'sensor', bitsPerPixel: 10, cfaPattern: 1, activeAreaSize: { width: 640, height: 480 },
      analogCrop: { x: 0, y: 0, width: 640, height: 480 }, outputSize: { width: 640, height: 480 },
      pixelRate: 10000000n, minLineLength: 700, maxLineLength: 0xffff, minFrameLength: 500, maxFrameLength: 0xffff,
    };
    results.push(await ipa.configure(sensorInfo as never, new Map([[0, { pixelFormat: 0x34325258, size: { width: 640, height: 480 } }]]), new Map([[0, infoMap(orders.configured)]])));
    results.push(await ipa.mapBuffers([{ id: 1, planes: [{ fd: new SharedFD(params.fd), offset: 0, length: 4096 }] }] as never));
    results.push(await ipa.start());
    // libcamera's pipeline keeps a copy of the map it configured with: a list on it sends it inline.
    const list = new ControlList(infoMap(orders.requestInfo));
    for (const id of orders.request) {
      if (id === 14) list.set(controls.Brightness, 0.5);
      if (id === 1) list.set(controls.AeEnable, true);
      if (id === 7) list.set(controls.ExposureTime, 10000);
      if (id === 27) list.set(controls.ScalerCrop, { x: 16, y: 8, width: 608, height: 464 });
    }
    ipa.queueRequest(1, list);
    ipa.queueRequest(2, list);
    const plain = new ControlList(controlIds);
    plain.set(controls.Brightness, -0.25);
    ipa.queueRequest(3, plain);
    const event = new Promise<void>((resolve) => (computed = resolve));
    ipa.computeParams(1, 1);
    await event;
    results.push(await ipa.stop());
    results.push(await ipa.unmapBuffers([1]));
    await ipa.close();
    const written = fs.readFileSync(`/proc/self/fd/${trace.fd}`);
    const ops = Array.from({ length: written.length / 4 }, (_, i) => written.readUInt32LE(i * 4));
    return { results, events, trace: ops };
  } finally {
    trace.close();
    params.close();
  }
}

describe("ts-ipa's proxy driving libcamera's worker (peer: 'libcamera')", () => {
  const tap = path.join(root, 'test/fixtures/wire-tap.js');
  const kitWorker = (): string => path.join(kit!, 'bin/vimc_ipa_proxy');
  const kitModule = (): string => path.join(kit!, 'ipa/ipa_vimc.so');
  const vimcData = (): string => path.join(kit!, 'ipa/data/vimc');
  let log: string;
  /** The sequence between libcamera's proxy and libcamera's worker. */
  let reference: WireMessage[];
  let orders: EntryOrders;

  beforeAll(() => {
    log = path.join(workerDir, 'wire.jsonl');
    reference = driverWire(driver('vimc-sequence', '--wire').lines);
    orders = entryOrders(reference);
  }, 60_000);

  it("runs libcamera's whole vimc sequence against libcamera's own vimc worker, every message as libcamera's proxy sends it", async () => {
    fs.rmSync(log, { force: true });
    const fdsBefore = openFds();
    const ipa = await createProxy(IPAVimcInterface, {
      module: kitModule(),
      peer: 'libcamera',
      // The tap records the wire and starts the worker in vimc's data directory, as the driver does.
      workerCommand: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, 'LIBCAMERA_LOG_LEVELS=*:WARN', process.execPath, tap, log, vimcData(), kitWorker()],
    });
    const { results, events, trace } = await vimcSequence(ipa as never, orders);
    // init's ret and outFlags (Flag1), configure's and start's 0; the IPA's trace of init, start, stop.
    expect(results).toEqual([{ ret: 0, outFlags: TestFlag.Flag1 }, 0, undefined, 0, undefined, undefined]);
    expect(events).toEqual([[1, 0]]);
    expect(trace).toEqual([IPAOperationCode.IPAOperationInit, IPAOperationCode.IPAOperationStart, IPAOperationCode.IPAOperationStop]);

    expect(tapWire(log).map(comparable)).toEqual(reference.map(comparable));
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  }, 150_000);

  it("drives ts-ipa's own worker host the same way: to a proxy that does not say it is ts-ipa's, it is a libcamera worker", async () => {
    fs.rmSync(log, { force: true });
    const ipa = await createProxy(IPAVimcInterface, {
      module: path.join(root, 'dist/platforms/vimc/ipa/index.js'),
      peer: 'libcamera',
      workerCommand: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, 'LIBCAMERA_LOG_LEVELS=*:WARN', process.execPath, tap, log, vimcData(), process.execPath, path.join(root, 'dist/runtime/worker/host.js')],
    });
    const { results, events, trace } = await vimcSequence(ipa as never, orders);
    expect(results).toEqual([{ ret: 0, outFlags: TestFlag.Flag1 }, 0, undefined, 0, undefined, undefined]);
    expect(events).toEqual([[1, 0]]);
    expect(trace).toEqual([1, 2, 3]);
    expect(tapWire(log).map(comparable)).toEqual(reference.map(comparable));
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
  }, 150_000);

  it("starts the worker as libcamera does: no fd of the handler's but its socket, in a user and a network namespace of its own", async () => {
    const inherited = path.join(workerDir, 'inherited');
    // The handler here is a process that inherited fd 5 without close-on-exec: Node's spawn
    // passes such an fd on to every process it starts. It starts libcamera's worker, then waits.
    const handler = `
      const fs = require('node:fs');
      const { createProxy, SharedFD } = require(${JSON.stringify(path.join(root, 'dist/runtime'))});
      const { IPAVimcInterface } = require(${JSON.stringify(path.join(root, 'dist/platforms/vimc/contract.js'))});
      (async () => {
        if (fs.readlinkSync('/proc/self/fd/5') !== ${JSON.stringify(inherited)}) throw new Error('fd 5 is not the inherited file');
        const ipa = await createProxy(IPAVimcInterface, {
          module: ${JSON.stringify(kitModule())},
          peer: 'libcamera',
          workerCommand: ['/usr/bin/env', 'TS_IPA_INTEROP=${marker}', ${JSON.stringify(kitWorker())}],
        });
        const { ret } = await ipa.init({ configurationFile: ${JSON.stringify(path.join(vimcData(), 'vimc.conf'))}, sensorModel: 'sensor' }, new SharedFD(-1), 1, 0);
        process.stdout.write('init ' + ret + '\\n');
        process.stdin.once('data', () => ipa.close());
      })();`;
    const child = spawn(process.execPath, ['-e', handler], { stdio: ['pipe', 'pipe', 'inherit', 'ignore', 'ignore', fs.openSync(inherited, 'w')] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const [line] = await once(child.stdout!.setEncoding('utf8'), 'data') as [string];
      expect(line).toBe('init 0\n');
      const [worker] = processesMarked('TS_IPA_INTEROP', marker);
      expect(worker).toBeDefined();
      const fdsOf = (pid: number): Record<string, string> => Object.fromEntries(fs.readdirSync(`/proc/${pid}/fd`).map((fd) => [fd, fs.readlinkSync(`/proc/${pid}/fd/${fd}`)]));
      expect(fdsOf(child.pid!)['5']).toBe(inherited);
      const workers = fdsOf(worker!);
      expect(Object.values(workers)).not.toContain(inherited);
      expect(workers['3']).toMatch(/^socket:/);
      expect(workers['0']).toBe('/dev/null');
      // In namespaces of its own, as libcamera starts its workers: nobody to the host, no network.
      expect(fs.readFileSync(`/proc/${worker}/uid_map`, 'utf8')).toBe('');
      expect(fs.readlinkSync(`/proc/${worker}/ns/net`)).not.toBe(fs.readlinkSync('/proc/self/ns/net'));
      expect(fs.readlinkSync(`/proc/${worker}/ns/user`)).not.toBe(fs.readlinkSync('/proc/self/ns/user'));
    } finally {
      child.stdin!.end('close\n');
      await exited;
    }
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
  }, 90_000);

  it('the launcher a libcamera worker starts through closes every fd from the one after its socket up, and only with that option', () => {
    // A shell's redirections leave fds without close-on-exec (as a handler's addon may open one;
    // Node marks its own close-on-exec). Only shell builtins list the fds: a redirection or
    // another program would open fds of its own.
    const list = 'for fd in /proc/$$/fd/*; do printf "%s " "${fd##*/}"; done';
    const launch = (...options: string[]): string => spawnSync('/bin/sh', ['-c', `exec 4>/dev/null 5>/dev/null 7</dev/null; exec "$0" "$@"`, launcherFile(), ...options, '/bin/sh', '-c', list], { encoding: 'utf8' }).stdout;
    // fd 3 is the listing's own: the directory the glob reads.
    expect(launch('--close-fds-from=4', '--allow-io-uring')).toBe('0 1 2 3 ');
    expect(launch().split(' ')).toEqual(expect.arrayContaining(['4', '5', '7']));
  });

  it("says how to drive a libcamera worker when a worker never greets, and leaves none behind", async () => {
    const started = createProxy(IPAVimcInterface, { module: kitModule(), workerCommand: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, kitWorker()], sandbox: false, startTimeoutMs: 1000 });
    await expect(started).rejects.toThrow(IPATimeoutError);
    await expect(started).rejects.toThrow("starting the IPA worker: no reply within 1000 ms: a ts-ipa worker greets its proxy as it starts; a libcamera worker never does: to drive one, pass peer: 'libcamera'");
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
  }, 30_000);

  it('ends a libcamera worker that never answers as a hung one: the call times out, the worker is killed, nothing is left', async () => {
    const ipa = await createProxy(IPAVimcInterface, {
      module: kitModule(),
      peer: 'libcamera',
      // Reads nothing, answers nothing: as a worker stuck in its IPA would.
      workerCommand: ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, '/bin/sh', '-c', 'exec sleep 1000'],
      timeoutMs: 300,
    });
    const crashed = new Promise<Error>((resolve) => ipa.on('crashed', resolve));
    await expect(ipa.init({ configurationFile: 'vimc.conf', sensorModel: 'sensor' }, new SharedFD(-1), IPAOperationCode.IPAOperationInit, TestFlag.Flag2))
      .rejects.toThrow(new IPATimeoutError('init', 300));
    expect((await crashed).message).toBe('the IPA worker was killed by SIGKILL (killed: init got no reply within 300 ms)');
    await expect(ipa.start()).rejects.toThrow('the IPA worker was killed by SIGKILL');
    await ipa.close();
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
  }, 30_000);

  it("refuses options a libcamera worker cannot take, naming them, before any worker starts", async () => {
    await expect(createProxy(IPAVimcInterface, { module: kitModule(), peer: 'libcamera' })).rejects.toThrow(new ContractError("peer 'libcamera' needs workerCommand: the libcamera worker to start (its <name>_ipa_proxy), given the module path and the socket's fd"));
    await expect(createProxy(IPAVimcInterface, { module: kitModule(), peer: 'libcamera', workerCommand: [kitWorker()], isolation: 'thread' })).rejects.toThrow("peer 'libcamera' is a worker process: it needs isolation 'process', not 'thread'");
    await expect(createProxy(IPAVimcInterface, { module: kitModule(), peer: 'libcamera', workerCommand: [kitWorker()], isolation: 'direct' })).rejects.toThrow("peer 'libcamera' is a worker process: it needs isolation 'process', not 'direct'");
    await expect(createProxy(IPAVimcInterface, { module: kitModule(), peer: 'libcamera', workerCommand: [kitWorker()], sandbox: { memoryLimitMb: 256 } })).rejects.toThrow("sandbox is ts-ipa's worker host's and cannot apply to a libcamera worker");
    await expect(createProxy(IPAVimcInterface, { module: kitModule(), peer: 'libcamra' as never, workerCommand: [kitWorker()] })).rejects.toThrow("peer must be 'ts-ipa' or 'libcamera', not libcamra");
  });
});

