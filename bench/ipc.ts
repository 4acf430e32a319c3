/**
 * Call latency and one-way throughput of the three isolation modes, beside a raw Node Unix
 * socket and a raw MessagePort doing the least the same job takes.
 */
import path from 'node:path';
import { createProxy, type IPAProxy } from '../runtime';
import { IPAVimcInterface } from '../platforms/vimc/contract';
import { percentile } from './harness';
import { RawPortPeer, RawSocketPeer } from './raw-peers';
import { libcameraCalls, proxyToLibcameraWorker, usableKit } from './libcamera';
import { floorWorkerDir, LIBCAMERA_TO_NODE_FLOOR, LIBCAMERA_TO_TS_IPA_WORKER, tsIpaWorkerDir } from './paced';

/** libcamera's isolated vimc proxy and C++ worker (lc-ipa-driver bench-call: start(), sync). */
export const LIBCAMERA_PROCESS = 'libcamera process (C++)';
/** ts-ipa's process pipe and vimc proxy, libcamera's C++ vimc worker. */
export const TS_IPA_TO_LIBCAMERA_WORKER = 'ts-ipa proxy, libcamera worker';

export interface IpcRow {
  suite: 'ipc';
  case: string;
  impl: string;
  pinned: boolean;
  p50_us: number | null;
  p99_us: number | null;
  msgsPerSec: number | null;
}

const IPA = path.join(__dirname, 'ipa.js');

/** A peer measured a call at a time, or one that measures a batch of calls itself (the libcamera driver). */
type Peer = (() => Promise<unknown>) | { batch: (count: number) => Promise<number[]> };

/**
 * Round-trip latency of several peers, measured in alternating rounds: how quickly a sleeping
 * thread or process wakes up drifts over a run, and alternating lets every peer see the same drift.
 */
async function latencies(peers: Record<string, Peer>, count: number): Promise<Map<string, { p50: number; p99: number }>> {
  const rounds = 10;
  const samples = new Map<string, number[]>(Object.keys(peers).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, peer] of Object.entries(peers)) {
      const list = samples.get(name)!;
      if (typeof peer !== 'function') {
        list.push(...await peer.batch(count / rounds));
        // The driver's exit (its worker killed, reaped) is not the next peer's to pay for.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      // Each round's first calls wake a peer that slept through the others' rounds; libcamera's
      // driver warms up every round too (bench-call's warm-up).
      for (let i = 0; i < 200; i++) await peer();
      for (let i = 0; i < count / rounds; i++) {
        const start = process.hrtime.bigint();
        await peer();
        list.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  return new Map([...samples].map(([name, list]) => {
    list.sort((a, b) => a - b);
    return [name, { p50: percentile(list, 50), p99: percentile(list, 99) }];
  }));
}

async function throughput(run: (count: number) => Promise<void>, count: number): Promise<number> {
  await run(Math.min(10_000, count));
  const start = process.hrtime.bigint();
  await run(count);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** One-way calls, then a sync call that waits behind them all. */
function oneWayCalls(ipa: IPAProxy<IPAVimcInterface>) {
  return async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) ipa.computeParams(i, 0);
    await ipa.start();
  };
}

export async function ipcSuite(pinned: boolean, quick: boolean, log: (line: string) => void): Promise<IpcRow[]> {
  const rows: IpcRow[] = [];
  const trips = quick ? 2000 : 20000;
  const messages = quick ? 100_000 : 500_000;
  const row = (c: string, impl: string, values: Partial<IpcRow>): void => {
    rows.push({ suite: 'ipc', case: c, impl, pinned, p50_us: null, p99_us: null, msgsPerSec: null, ...values });
  };

  const socket = await RawSocketPeer.start();
  const port = await RawPortPeer.start();
  const proxies = {
    direct: await createProxy(IPAVimcInterface, { module: IPA, isolation: 'direct' }),
    thread: await createProxy(IPAVimcInterface, { module: IPA, isolation: 'thread', timeoutMs: 60_000 }),
    process: await createProxy(IPAVimcInterface, { module: IPA, isolation: 'process', timeoutMs: 60_000 }),
  };
  const usable = await usableKit();
  const kit = 'kit' in usable ? usable.kit : undefined;
  const workerDirs = kit ? { tsIpa: tsIpaWorkerDir(), floor: floorWorkerDir() } : undefined;
  let toCWorker: Awaited<ReturnType<typeof proxyToLibcameraWorker>> | undefined;
  try {
    if (!kit) log(`  [libcamera rows skipped: ${'why' in usable ? usable.why : ''}]`);
    try {
      toCWorker = kit ? await proxyToLibcameraWorker(kit) : undefined;
      await toCWorker?.start();
    } catch (error) {
      log(`  [ts-ipa's proxy to libcamera's worker skipped: ${(error as Error).message}]`);
      await toCWorker?.close();
      toCWorker = undefined;
    }
    const cWorker = toCWorker;
    const measured = await latencies({
      'raw Unix socket ping-pong': () => socket.ping(),
      'raw MessagePort ping-pong': () => port.ping(),
      'ts-ipa direct': () => proxies.direct.start(),
      'ts-ipa thread': () => proxies.thread.start(),
      // libcamera's proxy and worker beside ts-ipa's, each round in turn.
      ...(kit ? { [LIBCAMERA_PROCESS]: { batch: (n: number) => libcameraCalls(kit, n) } } : {}),
      'ts-ipa process': () => proxies.process.start(),
      ...(cWorker ? { [TS_IPA_TO_LIBCAMERA_WORKER]: () => cWorker.start() } : {}),
      ...(kit && workerDirs ? {
        [LIBCAMERA_TO_TS_IPA_WORKER]: { batch: (n: number) => libcameraCalls(kit, n, 1000, workerDirs.tsIpa.dir) },
        [LIBCAMERA_TO_NODE_FLOOR]: { batch: (n: number) => libcameraCalls(kit, n, 1000, workerDirs.floor.dir) },
      } : {}),
    }, trips);
    for (const [impl, { p50, p99 }] of measured) row('sync call round trip', impl, { p50_us: p50, p99_us: p99 });
    row('one-way messages', 'raw Unix socket', { msgsPerSec: await throughput((n) => socket.oneWay(n), messages) });
    for (const [mode, ipa] of Object.entries(proxies)) {
      row('one-way messages', `ts-ipa ${mode}`, { msgsPerSec: await throughput(oneWayCalls(ipa), messages) });
    }
  } finally {
    workerDirs?.tsIpa.remove();
    workerDirs?.floor.remove();
    socket.close();
    await port.close();
    await Promise.all([...Object.values(proxies), ...(toCWorker ? [toCWorker] : [])].map((p) => p.close()));
  }
  for (const r of rows) {
    const figures = r.msgsPerSec !== null
      ? `${(r.msgsPerSec / 1000).toFixed(0).padStart(7)} k msgs/s`
      : `p50 ${r.p50_us!.toFixed(1).padStart(6)} µs  p99 ${r.p99_us!.toFixed(1).padStart(6)} µs`;
    log(`  ${pinned ? '[pinned] ' : ''}${r.case.padEnd(22)} ${r.impl.padEnd(31)} ${figures}`);
  }
  return rows;
}
