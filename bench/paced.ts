/**
 * The frame loop's IPC taken apart, each part paced as libcamera's `bench-paced` is (every 1/FPS
 * s on an absolute schedule: queueRequest with two controls and computeParams, then wait for
 * paramsComputed), so that each row is comparable with libcamera's own:
 * - ts-ipa's proxy and worker with ts-ipa's vimc IPA, no pipeline around them;
 * - libcamera's proxy (the kit's driver) against ts-ipa's worker, and ts-ipa's proxy against
 *   libcamera's C++ worker: what each end costs alone;
 * - libcamera's proxy against a Node worker that only answers: ts-ipa's socket, and the bytes
 *   ts-ipa's worker sent the first time for each later call (no queueRequest read, computeParams
 *   answered with a paramsComputed framed once). The floor under ts-ipa's worker.
 * - ts-ipa's socket alone, Node at both ends: two messages out, one back, no proxy, no codec,
 *   no IPA. The floor under anything a Node worker on its event loop can do.
 * Run as a child: `node paced.js echo` answers on fd 3 for the socket row, and `node paced.js
 * floor-worker <fd>` is the answering worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { controlIds, controls, ControlList, ControlSerializer, ControlSerializerRole, createProxy, EXIT_CMD, FrameBufferPlane, IPCUnixSocket, loadIPAModule, MessageFramer, SharedFD, SharedMemory, type IPAProxy } from '../runtime';
import { messageCmd, messageCookie, ReceivedMessage } from '../runtime/ipc/message';
import { native } from '../runtime/native';
import { yieldHelperThreads } from '../runtime/helper-threads';
import { Dispatcher, type Replies } from '../runtime/worker/dispatcher';
import { IPAOperationCode, IPAVimcInterface } from '../platforms/vimc/contract';
import { libcameraPaced, proxyToLibcameraWorker } from './libcamera';
import { percentile } from './harness';
import type { FrameLoopRow } from './frame-loop';

const TS_IPA_HOST = path.join(__dirname, '../runtime/worker/host.js');
const TS_IPA_VIMC = path.join(__dirname, '../platforms/vimc/ipa/index.js');

/** One frame: issue the frame's messages, resolve once its answer came. */
type Frame = (frame: number) => Promise<void>;

/** Per-frame latencies (µs) of `frames` frames paced at `fps`, after `warmup` more. */
export async function paced(frame: Frame, fps: number, frames: number, warmup: number): Promise<number[]> {
  const period = 1e9 / fps;
  const samples: number[] = [];
  const t0 = process.hrtime.bigint() + 20_000_000n;
  for (let i = 0; i < warmup + frames; i++) {
    const due = t0 + BigInt(Math.round(period * i));
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const issued = process.hrtime.bigint();
    await frame(i + 1);
    if (i >= warmup) samples.push(Number(process.hrtime.bigint() - issued) / 1000);
  }
  return samples;
}

/**
 * A vimc proxy set up as bench-paced sets up libcamera's, and its frame. libcamera's vimc IPA
 * wants a configuration file (`vimc.conf`, in the directory its worker runs in); ts-ipa's takes none.
 */
async function vimcFrames(ipa: IPAProxy<IPAVimcInterface>, configurationFile = ''): Promise<{ frame: Frame; close(): Promise<void> }> {
  let answered: (() => void) | undefined;
  ipa.on('paramsComputed', () => answered?.());
  const memory = SharedMemory.create('ts-ipa-bench-params', 4096);
  try {
    const { ret } = await ipa.init({ configurationFile, sensorModel: 'sensor' }, SharedFD.invalid, IPAOperationCode.IPAOperationInit, 0);
    if (ret !== 0) throw new Error(`the vimc IPA's init returned ${ret}`);
    const size = { width: 640, height: 480 };
    await ipa.configure(
      {
        model: 'sensor', bitsPerPixel: 8, cfaPattern: 1, activeAreaSize: size, analogCrop: { x: 0, y: 0, ...size }, outputSize: size,
        pixelRate: 18_432_000n, minLineLength: 640, maxLineLength: 640, minFrameLength: 480, maxFrameLength: 480,
      },
      new Map([[0, { pixelFormat: 0x34325258, size }]]),
      new Map(),
    );
    await ipa.mapBuffers([{ id: 1, planes: [new FrameBufferPlane(new SharedFD(memory.fd), 0, 4096)] }]);
    await ipa.start();
  } catch (error) {
    memory.close();
    await ipa.close();
    throw error;
  }
  const list = new ControlList(controlIds);
  list.set(controls.Brightness, 0.5);
  list.set(controls.ExposureTime, 10_000);
  return {
    frame: (n) => new Promise((resolve) => {
      answered = resolve;
      ipa.queueRequest(n, list);
      ipa.computeParams(n, 1);
    }),
    close: async () => {
      await ipa.stop();
      await ipa.close();
      memory.close();
    },
  };
}

/** ts-ipa's proxy and worker (process mode, sandboxed) with ts-ipa's vimc IPA. */
export async function tsIpaPaced(fps: number, frames: number, warmup: number): Promise<number[]> {
  const ipa = await createProxy(IPAVimcInterface, { module: TS_IPA_VIMC, isolation: 'process', timeoutMs: 60_000 });
  const vimc = await vimcFrames(ipa);
  try {
    return await paced(vimc.frame, fps, frames, warmup);
  } finally {
    await vimc.close();
  }
}

/** ts-ipa's proxy against libcamera's C++ vimc worker and IPA. */
export async function tsIpaProxyLibcameraWorkerPaced(kit: string, fps: number, frames: number, warmup: number): Promise<number[]> {
  const vimc = await vimcFrames(await proxyToLibcameraWorker(kit), 'vimc.conf');
  try {
    return await paced(vimc.frame, fps, frames, warmup);
  } finally {
    await vimc.close();
  }
}

/**
 * A worker directory for `lc-ipa-driver --worker-dir`: its `vimc_ipa_proxy` starts ts-ipa's
 * worker host with ts-ipa's vimc IPA, as libcamera starts its workers (`<worker> <.so> <fd>`).
 */
export function tsIpaWorkerDir(command = `"${TS_IPA_HOST}" "${TS_IPA_VIMC}"`): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-bench-worker-'));
  fs.writeFileSync(path.join(dir, 'vimc_ipa_proxy'), `#!/bin/sh\nexec "${process.execPath}" ${command} "$2"\n`, { mode: 0o755 });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A worker directory like tsIpaWorkerDir's whose worker only answers (see serveFloorWorker). */
export function floorWorkerDir(): { dir: string; remove(): void } {
  return tsIpaWorkerDir(`"${__filename}" floor-worker`);
}

/** ts-ipa's socket between two Node processes: two messages out, the second answered. */
export async function socketFloorPaced(fps: number, frames: number, warmup: number): Promise<number[]> {
  const [ours, theirs] = IPCUnixSocket.pair();
  const child = spawn(process.execPath, [__filename, 'echo'], { stdio: ['ignore', 'inherit', 'inherit', theirs] });
  fs.closeSync(theirs);
  let answered: (() => void) | undefined;
  const socket = new IPCUnixSocket(ours, { onMessage: () => answered?.(), onError: (error) => { throw error; } });
  socket.enableBatching();
  // The sizes of bench-paced's queueRequest (a two-control list) and computeParams.
  const request = new Uint8Array(136);
  const compute = new Uint8Array(16).fill(1);
  try {
    await new Promise<void>((resolve) => {
      answered = resolve;
      socket.send(compute);
    });
    return await paced(() => new Promise((resolve) => {
      answered = resolve;
      socket.send(request);
      socket.send(compute);
    }), fps, frames, warmup);
  } finally {
    socket.close();
    child.kill();
  }
}

export const LIBCAMERA_PACED = 'libcamera proxy and worker';
export const SOCKET_FLOOR = "ts-ipa's socket alone";
/** libcamera's isolated vimc proxy, ts-ipa's worker host with ts-ipa's vimc IPA. */
export const LIBCAMERA_TO_TS_IPA_WORKER = 'libcamera proxy, ts-ipa worker';
/** libcamera's isolated vimc proxy, a Node worker on ts-ipa's socket that only answers: the floor under ts-ipa's worker. */
export const LIBCAMERA_TO_NODE_FLOOR = 'libcamera proxy, Node answering';

/**
 * Every row above and libcamera's own, in `turns` alternating turns of `seconds / turns` each
 * (libcamera's first), their samples pooled: each row's p50 and p99 with its ratio to
 * libcamera's printed through `log`.
 */
export async function pacedBreakdown(kit: string, fps: number, seconds: number, turns: number, log: (line: string) => void): Promise<FrameLoopRow[]> {
  const frames = Math.round((fps * seconds) / turns);
  const warmup = Math.round(fps / 2);
  const workerDir = tsIpaWorkerDir();
  const floorDir = floorWorkerDir();
  const rows: [string, (frames: number) => Promise<number[]>][] = [
    [LIBCAMERA_PACED, async () => (await libcameraPaced(kit, fps, seconds / turns, warmup)).samples],
    ["ts-ipa proxy and worker", (n) => tsIpaPaced(fps, n, warmup)],
    [LIBCAMERA_TO_TS_IPA_WORKER, async () => (await libcameraPaced(kit, fps, seconds / turns, warmup, workerDir.dir)).samples],
    ["ts-ipa proxy, libcamera worker", (n) => tsIpaProxyLibcameraWorkerPaced(kit, fps, n, warmup)],
    [LIBCAMERA_TO_NODE_FLOOR, async () => (await libcameraPaced(kit, fps, seconds / turns, warmup, floorDir.dir)).samples],
    [SOCKET_FLOOR, (n) => socketFloorPaced(fps, n, warmup)],
  ];
  const samples = new Map(rows.map(([name]) => [name, [] as number[]]));
  try {
    for (let turn = 0; turn < turns; turn++) {
      for (const [name, run] of rows) samples.get(name)!.push(...await run(frames));
    }
  } finally {
    workerDir.remove();
    floorDir.remove();
  }
  const result = [...samples].map(([impl, list]): FrameLoopRow => {
    list.sort((a, b) => a - b);
    return { suite: 'frame-loop', impl: `paced: ${impl}`, frameRate: fps, seconds, frames: list.length, missedFrames: 0, lateFrames: 0, ipcP50Us: percentile(list, 50), ipcP99Us: percentile(list, 99) };
  });
  const anchor = result[0]!;
  for (const r of result) {
    const ratio = r === anchor ? '' : `  (${(r.ipcP50Us / anchor.ipcP50Us).toFixed(2)}×, ${(r.ipcP99Us / anchor.ipcP99Us).toFixed(2)}× libcamera's)`;
    log(`  ${r.impl.padEnd(40)} ${String(r.frames).padStart(5)} frames  p50 ${r.ipcP50Us.toFixed(0).padStart(4)} µs  p99 ${r.ipcP99Us.toFixed(0).padStart(4)} µs${ratio}`);
  }
  return result;
}

function serveEcho(): void {
  const socket: IPCUnixSocket = new IPCUnixSocket(3, {
    onMessage: (payload) => {
      if (payload[0] === 1) socket.send(payload.subarray(0, 8));
    },
    onError: () => process.exit(1),
  });
  socket.enableBatching();
}

/**
 * The least a ts-ipa worker does for libcamera's proxy. It is started as libcamera starts a worker
 * (`<worker> <.so> <fd>`, the .so ignored) and answers the first call of each command through
 * ts-ipa's dispatcher and vimc IPA, as the real worker does. Every later call of that command is
 * answered with the bytes the first one sent (replies given the call's cookie), read no further.
 * The vimc IPA answers synchronously and sends no fds a frame, so those bytes are all of it.
 */
function serveFloorWorker(fd: number): void {
  if (!native().dieWithParent()) process.exit(0);
  yieldHelperThreads();
  const { module, codec } = loadIPAModule(TS_IPA_VIMC);
  const controls = new ControlSerializer(ControlSerializerRole.Worker);
  const answers = new Map<number, { cookie: number; sent: Uint8Array[] }>();
  let recording: Uint8Array[] | undefined;
  // Nothing arrives before this function returns to the event loop, by when dispatcher is set.
  const socket: IPCUnixSocket = new IPCUnixSocket(fd, {
    onMessage: (payload, fds) => {
      const cmd = messageCmd(payload);
      if (cmd === EXIT_CMD) process.exit(0);
      const cookie = messageCookie(payload);
      const answer = answers.get(cmd);
      if (answer) {
        for (const received of fds) native().close(received);
        for (const message of answer.sent) {
          if (messageCookie(message) === answer.cookie) setCookie(message, cookie);
          socket.send(message);
        }
        answer.cookie = cookie;
        return;
      }
      recording = [];
      answers.set(cmd, { cookie, sent: recording });
      dispatcher.receive(new ReceivedMessage(cmd, cookie, payload, fds));
      recording = undefined;
    },
    onError: () => process.exit(1),
  });
  const framer = new MessageFramer(controls, (payload, fds) => {
    recording?.push(payload.slice());
    socket.send(payload, fds);
  });
  const replies: Replies = {
    reply: (call, encode) => framer.send(call.cmd, call.cookie, encode),
    sendEvent: (cmd, encode) => framer.send(cmd, 0, encode),
  };
  const ipa = module.create(codec.eventSenders((cmd, _name, encode) => replies.sendEvent(cmd, encode)) as never);
  const dispatcher = new Dispatcher(codec, ipa, replies, () => process.exit(1), controls);
}

/** Rewrites a framed message's cookie (the header's second u32, little-endian) in place. */
function setCookie(message: Uint8Array, cookie: number): void {
  for (let i = 0; i < 4; i++) message[4 + i] = cookie >>> (8 * i);
}

if (require.main === module && process.argv[2] === 'echo') serveEcho();
if (require.main === module && process.argv[2] === 'floor-worker') serveFloorWorker(Number(process.argv[3]));
