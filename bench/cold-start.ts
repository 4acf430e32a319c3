/**
 * Worker cold start: how long a pipeline handler waits for a new IPA worker, ts-ipa's process
 * mode (sandboxed and not) beside libcamera's own C++ vimc worker started the same way
 * (`<worker> <module> <fd>`, the worker end of a datagram socketpair as fd 3). libcamera's proxy
 * sends `init` the moment it has spawned the worker and gives it 2 s (its call timeout): that is
 * the budget a worker's start-up spends in. Each round starts one worker of each kind in turn, so
 * that the machine's drift hits them alike; "loaded" runs the same rounds with two busy-looping
 * processes, one a CPU on this two-CPU machine, as a build or a second camera would.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createProxy, SharedFD, SharedMemory } from '../runtime';
import { IPCUnixSocket } from '../runtime/ipc/unix-socket';
import { native } from '../runtime/native';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from '../platforms/vimc/contract';
import { percentile } from './harness';
import { findKit, KIT_MISSING } from './libcamera';

/** The prebuilt libcamera kit, found as the other libcamera rows find it. */
const LIBCAMERA_KIT = findKit() ?? '';
const VIMC_DATA = path.join(LIBCAMERA_KIT, 'ipa/data/vimc');
const TS_IPA_VIMC = path.join(__dirname, '../platforms/vimc/ipa/index.js');
/** libcamera's proxy's call timeout, and so the budget of a worker's start-up. */
const LIBCAMERA_CALL_TIMEOUT_MS = 2000;
/**
 * What libcamera's own vimc proxy sends as init (cmd 1, cookie 0): IPASettings
 * { "vimc.conf", "sensor" }, the trace fd (the one fd), IPAOperationInit, Flag1. Recorded
 * from libcamera's proxy, so the C++ worker gets exactly what it gets from libcamera.
 */
const LIBCAMERA_INIT = Buffer.from('010000000000000017000000040000000100000004000000040000000900000076696d632e636f6e660600000073656e736f72010000000100000002000000', 'hex');
/** Its reply: cmd 1, cookie 0, ret 0, outFlags Flag1. */
const LIBCAMERA_INIT_REPLY = '01000000000000000000000001000000';

export interface ColdStartRow {
  suite: 'cold-start';
  impl: string;
  loaded: boolean;
  samples: number;
  /**
   * createProxy called (spawning is its first step: the sandbox's settings take 0.3 ms) to the
   * worker's greeting checked. ts-ipa only: libcamera's worker never greets.
   */
  readyP50Ms: number | null;
  /** Spawn to the reply to the first call, init. */
  firstReplyP50Ms: number;
  firstReplyP90Ms: number;
  firstReplyMaxMs: number;
  /** First replies that took longer than libcamera's 2 s call timeout. */
  overTimeout: number;
}

interface Start {
  readyMs?: number;
  firstReplyMs: number;
}

type Starter = () => Promise<Start>;

/** The kit's C++ vimc worker, spoken to in libcamera's framing over a socketpair. */
async function startLibcameraWorker(): Promise<Start> {
  const [mine, theirs] = IPCUnixSocket.pair();
  const trace = native().memfd('trace', 0);
  let worker: ChildProcess | undefined;
  let socket: IPCUnixSocket | undefined;
  try {
    const reply = new Promise<number>((resolve, reject) => {
      socket = new IPCUnixSocket(mine, {
        onMessage: (payload, fds) => {
          for (const fd of fds) native().close(fd);
          const got = Buffer.from(payload).toString('hex');
          if (got === LIBCAMERA_INIT_REPLY) resolve(performance.now());
          else reject(new Error(`libcamera's vimc worker replied ${got}, not ${LIBCAMERA_INIT_REPLY}`));
        },
        onError: reject,
      });
    });
    const start = performance.now();
    worker = spawn(path.join(LIBCAMERA_KIT, 'bin/vimc_ipa_proxy'), [path.join(LIBCAMERA_KIT, 'ipa/ipa_vimc.so'), '3'], {
      cwd: VIMC_DATA, // where "vimc.conf" in init's settings opens
      stdio: ['ignore', 'ignore', 'inherit', theirs],
      // Its errors still show; not its line a start saying it started.
      env: { ...process.env, LIBCAMERA_LOG_LEVELS: '*:WARN' },
    });
    native().close(theirs);
    // As libcamera's proxy: init at once, without waiting for the worker to be up.
    socket!.send(LIBCAMERA_INIT, [trace]);
    const exited = new Promise<never>((_, reject) => worker!.once('exit', (code, signal) => reject(new Error(`libcamera's vimc worker exited (${code ?? signal}) before replying`))));
    const repliedAt = await Promise.race([reply, exited]);
    return { firstReplyMs: repliedAt - start };
  } finally {
    native().close(trace);
    socket?.close();
    if (worker && worker.exitCode === null) {
      const gone = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGKILL');
      await gone;
    }
  }
}

/** A ts-ipa process-mode worker with ts-ipa's vimc IPA: createProxy (spawn, greeting), then init. */
function startTsIpaWorker(sandbox: boolean): Starter {
  return async () => {
    const trace = SharedMemory.create('trace', 0);
    const start = performance.now();
    const ipa = await createProxy(IPAVimcInterface, {
      module: TS_IPA_VIMC,
      sandbox: sandbox ? { allowRead: [VIMC_DATA] } : false,
    });
    const readyAt = performance.now();
    try {
      const init = await ipa.init({ configurationFile: path.join(VIMC_DATA, 'vimc.conf'), sensorModel: 'sensor' }, new SharedFD(trace.fd), IPAOperationCode.IPAOperationInit, TestFlag.Flag1);
      const repliedAt = performance.now();
      if (init.ret !== 0) throw new Error(`ts-ipa's vimc IPA refused init (${init.ret})`);
      return { readyMs: readyAt - start, firstReplyMs: repliedAt - start };
    } finally {
      await ipa.close();
      trace.close();
    }
  };
}

/**
 * `start` with `name` out of this process's environment, which an unsandboxed worker inherits
 * (a sandboxed one gets none of it). NODE_EXTRA_CA_CERTS makes every Node read and parse that
 * certificate bundle before it runs anything: set on a machine (to the system's bundle, as here),
 * it is the biggest single part of an unsandboxed worker's start.
 */
function without(name: string, start: Starter): Starter {
  return async () => {
    const value = process.env[name];
    delete process.env[name];
    try {
      return await start();
    } finally {
      if (value !== undefined) process.env[name] = value;
    }
  };
}

/** Two processes spinning, one a CPU, until stopped. */
function busyLoops(count: number): () => Promise<void> {
  const spinners = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  return async () => {
    await Promise.all(spinners.map((spinner) => new Promise((resolve) => {
      if (spinner.exitCode !== null || spinner.signalCode !== null) return resolve(undefined);
      spinner.once('exit', resolve);
      spinner.kill('SIGKILL');
    })));
  };
}

function row(impl: string, loaded: boolean, starts: Start[]): ColdStartRow {
  const replies = starts.map((s) => s.firstReplyMs).sort((a, b) => a - b);
  const ready = starts.flatMap((s) => (s.readyMs === undefined ? [] : [s.readyMs])).sort((a, b) => a - b);
  return {
    suite: 'cold-start', impl, loaded, samples: starts.length,
    readyP50Ms: ready.length ? percentile(ready, 50) : null,
    firstReplyP50Ms: percentile(replies, 50),
    firstReplyP90Ms: percentile(replies, 90),
    firstReplyMaxMs: replies[replies.length - 1]!,
    overTimeout: replies.filter((ms) => ms > LIBCAMERA_CALL_TIMEOUT_MS).length,
  };
}

/** Whether the libcamera kit is here: without it, ts-ipa's rows are measured alone. */
export function libcameraKitFound(): boolean {
  return LIBCAMERA_KIT !== '' && fs.existsSync(path.join(LIBCAMERA_KIT, 'bin/vimc_ipa_proxy'));
}

export async function coldStart(rounds: number, print: (line: string) => void): Promise<ColdStartRow[]> {
  const starters: [string, Starter][] = [
    ['ts-ipa process, sandboxed', startTsIpaWorker(true)],
    ['ts-ipa process, no sandbox', startTsIpaWorker(false)],
    ...(process.env.NODE_EXTRA_CA_CERTS ? [['ts-ipa process, no sandbox, no NODE_EXTRA_CA_CERTS', without('NODE_EXTRA_CA_CERTS', startTsIpaWorker(false))] as [string, Starter]] : []),
    ...(libcameraKitFound() ? [["libcamera's C++ vimc worker", startLibcameraWorker] as [string, Starter]] : []),
  ];
  if (!libcameraKitFound()) print(`  (${KIT_MISSING}: ts-ipa measured alone)`);
  // One start of each first, not counted: the files are in the page cache for every round.
  for (const [, start] of starters) await start();
  const rows: ColdStartRow[] = [];
  for (const loaded of [false, true]) {
    const stopLoad = loaded ? busyLoops(2) : undefined;
    const starts = new Map<string, Start[]>(starters.map(([impl]) => [impl, []]));
    try {
      for (let round = 0; round < rounds; round++) {
        for (const [impl, start] of starters) starts.get(impl)!.push(await start());
      }
    } finally {
      await stopLoad?.();
    }
    print(`  ${loaded ? 'loaded (two busy loops, one a CPU)' : 'idle'}: ${rounds} starts each, ms`);
    const measured = starters.map(([impl]) => row(impl, loaded, starts.get(impl)!));
    const reference = measured.find((r) => r.impl.startsWith('libcamera'));
    for (const r of measured) {
      const ready = r.readyP50Ms === null ? '' : `ready p50 ${r.readyP50Ms.toFixed(0).padStart(5)}`;
      const ratio = reference && r !== reference ? `  ${(r.firstReplyP50Ms / reference.firstReplyP50Ms).toFixed(1)}× libcamera's` : '';
      const over = r.overTimeout ? `  ${r.overTimeout} past libcamera's ${LIBCAMERA_CALL_TIMEOUT_MS} ms timeout` : '';
      print(`    ${r.impl.padEnd(51)} ${ready.padEnd(15)} first reply p50 ${r.firstReplyP50Ms.toFixed(0).padStart(5)}  p90 ${r.firstReplyP90Ms.toFixed(0).padStart(5)}  max ${r.firstReplyMaxMs.toFixed(0).padStart(5)}${ratio}${over}`);
    }
    rows.push(...measured);
  }
  return rows;
}
