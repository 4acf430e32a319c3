/**
 * libcamera's own figures beside ts-ipa's: the prebuilt C++ libcamera kit (its README is the
 * reference) drives libcamera's isolated vimc proxy against its C++ worker with `lc-ipa-driver
 * bench-call` and `bench-paced`; and ts-ipa's proxy drives the kit's C++ worker
 * (`vimc_ipa_proxy ipa_vimc.so <fd>`) with `peer: 'libcamera'`, which shows how much of a round
 * trip is each end's. The kit may be absent: then `findKit()` is undefined and those rows are skipped.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createProxy, type IPAProxy } from '../runtime';
import { IPAVimcInterface } from '../platforms/vimc/contract';

/** Where the kit is looked for, as test/libcamera-interop.test.ts looks. */
export function findKit(): string | undefined {
  const root = path.join(__dirname, '../..');
  const candidates = [process.env.TS_IPA_LIBCAMERA_KIT, path.join(root, '../shared/libcamera'), '/work/shared/libcamera'].filter(Boolean) as string[];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'bin/lc-ipa-driver')));
}

/**
 * The kit found, and able to run here (its worker needs user and network namespaces, which some
 * containers refuse); else why not, for the rows that are skipped.
 */
export async function usableKit(): Promise<{ kit: string } | { why: string }> {
  const kit = findKit();
  if (!kit) return { why: KIT_MISSING };
  try {
    await libcameraCalls(kit, 10, 10);
    return { kit };
  } catch (error) {
    return { why: `the libcamera kit at ${kit} does not run here: ${(error as Error).message}` };
  }
}

export const KIT_MISSING = 'the libcamera kit was not found (set TS_IPA_LIBCAMERA_KIT to its directory)';

/** One JSON line of the driver, the one whose `mode` is `mode`. */
function drive(kit: string, mode: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(path.join(kit, 'bin/lc-ipa-driver'), [mode, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 300_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{') && l.includes(`"mode": "${mode}"`));
      // Status 1 with a result line is a check that failed (bench-paced: a frame missed), which the line says.
      if ((error && error.code !== 1) || !line) return reject(new Error(`lc-ipa-driver ${mode} failed: ${error?.message.split('\n')[0] ?? 'no result line'} ${stderr.trim().split('\n').pop() ?? ''}`));
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

function samplesUs(result: Record<string, unknown>): number[] {
  return (result.samples_ns as number[]).map((ns) => ns / 1000);
}

/**
 * `count` sync `start()` calls through libcamera's isolated vimc proxy to its worker, after
 * `warmup` more; the latency of each in µs. A new worker each time, as the driver starts one: the
 * kit's, or the one in `workerDir` (its `vimc_ipa_proxy`).
 */
export async function libcameraCalls(kit: string, count: number, warmup = 1000, workerDir?: string): Promise<number[]> {
  const worker = workerDir ? ['--worker-dir', workerDir] : [];
  return samplesUs(await drive(kit, 'bench-call', [String(count), '--warmup', String(warmup), '--samples', ...worker]));
}

export interface PacedResult {
  /** Per frame, from issuing queueRequest + computeParams to receiving paramsComputed (µs). */
  samples: number[];
  late: number;
  missed: number;
}

/**
 * libcamera's vimc proxy paced at `fps` for `seconds`, after `warmupFrames` frames; against the
 * worker in `workerDir` (its `vimc_ipa_proxy`) if given, else the kit's own.
 */
export async function libcameraPaced(kit: string, fps: number, seconds: number, warmupFrames: number, workerDir?: string): Promise<PacedResult> {
  const worker = workerDir ? ['--worker-dir', workerDir] : [];
  const result = await drive(kit, 'bench-paced', [String(fps), String(seconds), '--warmup', String(warmupFrames), '--samples', ...worker]);
  return { samples: samplesUs(result), late: result.late as number, missed: result.missed as number };
}

/**
 * ts-ipa's proxy against libcamera's C++ vimc worker, as a pipeline handler drives one
 * (`peer: 'libcamera'`). No init: the vimc IPA's start() needs none.
 */
export function proxyToLibcameraWorker(kit: string): Promise<IPAProxy<IPAVimcInterface>> {
  return createProxy(IPAVimcInterface, {
    module: path.join(kit, 'ipa/ipa_vimc.so'),
    peer: 'libcamera',
    // In the directory where init would open vimc.conf (the module and fd are appended), without
    // libcamera's INFO line of the worker starting, which is not the bench's.
    workerCommand: ['/usr/bin/env', 'LIBCAMERA_LOG_LEVELS=*:WARN', '/bin/sh', '-c', 'cd "$0" && exec "$1" "$2" "$3"', path.join(kit, 'ipa/data/vimc'), path.join(kit, 'bin/vimc_ipa_proxy')],
    timeoutMs: 60_000,
  });
}
