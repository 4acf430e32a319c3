/**
 * The rkisp1 IPA's per-frame cost beside libcamera's C++ rkisp1 IPA: computeParams and
 * processStats, in a closed loop from each oracle trace (./rkisp1-loop), the IPA class in a
 * fresh process's thread as the C++ anchor ran it in-process, and once through createProxy's
 * direct isolation (what a user of the module pays). The anchor is the figure recorded in the
 * oracle README, "C++ per-frame cost": the kit's lc-ipa-driver runs that IPA only behind its
 * isolated proxy (rkisp1-sequence) and times no call inside the worker, so it cannot be measured
 * in this run.
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median } from './harness';
import { findTraces } from './oracle-trace';
import { DROPPED, type RunFigures } from './rkisp1-runs';
import { clockCost } from './rkisp1-loop';

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
/** As the anchor: 5000 frames a run. */
const FRAMES = 5000;
/** The TS IPA's step at most this many times the C++ step (p50), against the anchor's upper p50. */
const TARGET = 5;

/** The oracle README's "C++ per-frame cost" for rkisp1 (uncalibrated, V10): ranges over 4 runs, µs. */
const ANCHOR = {
  computeParams: { p50: [0.16, 0.34], p99: [0.45, 2.3] },
  processStats: { p50: [1.7, 3.6], p99: [4.6, 34] },
} as const;
type Step = keyof typeof ANCHOR;
const STEPS: readonly Step[] = ['computeParams', 'processStats'];

export interface Rkisp1IpaRow {
  suite: 'rkisp1-ipa';
  trace: string;
  impl: string;
  frames: number;
  computeParamsP50Us: number;
  computeParamsP99Us: number;
  processStatsP50Us: number;
  processStatsP99Us: number;
}

const FIRST_RUN = 'ts-ipa in-process, first run';
const WARM = 'ts-ipa in-process, warm';
const PROXY = "ts-ipa createProxy 'direct'";

const us = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

function row(trace: string, impl: string, frames: number, runs: readonly RunFigures[]): Rkisp1IpaRow {
  const middle = (step: Step, p: 'p50' | 'p99') => median(runs.map((r) => r[step][p]));
  return {
    suite: 'rkisp1-ipa', trace, impl, frames,
    computeParamsP50Us: middle('computeParams', 'p50'), computeParamsP99Us: middle('computeParams', 'p99'),
    processStatsP50Us: middle('processStats', 'p50'), processStatsP99Us: middle('processStats', 'p99'),
  };
}

/** One trace's runs in a fresh process (./rkisp1-runs). */
function runTrace(file: string, frames: number, runs: number): RunFigures[] {
  const child = path.join(__dirname, 'rkisp1-runs.js');
  const result = spawnSync(process.execPath, [child, file, String(frames), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${path.basename(child)} ${path.basename(file)} failed: ${result.error?.message ?? result.stderr.trim()}`);
  return JSON.parse(result.stdout) as RunFigures[];
}

/**
 * Runs the section, printing through `log`; a step over target is added to `misses`. Each trace
 * runs in a process of its own: a first run, V8 still compiling the IPA's code (the C++ was
 * compiled ahead, and its 100 dropped calls are all it warms up), then warm runs, their median
 * judged against the target (`quick`: one), then one through the proxy.
 */
export function rkisp1IpaSection(quick: boolean, log: (line: string) => void, misses: string[]): Rkisp1IpaRow[] {
  const found = findTraces(TRACES);
  if ('why' in found) {
    log(`  skipped: ${found.why}`);
    return [];
  }
  const frames = FRAMES;
  const runs = quick ? 2 : 4;
  log(`  ${frames} frames a run, closed loop, first ${DROPPED} calls of each run dropped; each trace in a fresh process: a first run, ${runs - 1} warm run${runs > 2 ? 's (their median judged)' : ' (judged)'}, one through the proxy`);
  log(`  anchor: libcamera's C++ rkisp1 IPA (uncalibrated, V10), in-process, 5000 frames, first 100 calls dropped: the oracle README's recorded figure ("C++ per-frame cost", ranges over 4 runs), NOT measured in this run`);
  log(`  (the kit's lc-ipa-driver drives that IPA only behind its isolated proxy, rkisp1-sequence, and times no call inside the worker)`);
  log(`  clock: performance.now() read twice back to back p50 ${us(median(Array.from(clockCost(10_000))))} µs, included in each figure`);
  const rows: Rkisp1IpaRow[] = [];
  for (const file of TRACES) {
    const name = path.basename(file, '.json');
    const figures = runTrace(path.join(found.dir, file), frames, runs);
    const own = figures.filter((f) => f.mode === 'in-process');
    const first = row(name, FIRST_RUN, frames, own.slice(0, 1));
    const warm = row(name, WARM, frames, own.slice(1));
    const proxied = row(name, PROXY, frames, figures.filter((f) => f.mode === 'proxy'));
    const settled = own[own.length - 1]!.settled;
    log(`\n  ${name} (the loop settled at exposure ${settled.exposure} lines, gain code ${settled.gain}):`);
    for (const r of [first, warm, proxied]) {
      rows.push(r);
      log(`    ${r.impl.padEnd(30)} computeParams p50 ${us(r.computeParamsP50Us).padStart(5)} µs  p99 ${us(r.computeParamsP99Us).padStart(5)} µs   processStats p50 ${us(r.processStatsP50Us).padStart(5)} µs  p99 ${us(r.processStatsP99Us).padStart(5)} µs`);
    }
    const a = ANCHOR;
    log(`    ${"libcamera C++ (README's)".padEnd(30)} computeParams p50 ${a.computeParams.p50.join('–')} µs  p99 ${a.computeParams.p99.join('–')} µs   processStats p50 ${a.processStats.p50.join('–')} µs  p99 ${a.processStats.p99.join('–')} µs`);
    for (const step of STEPS) {
      const p50 = (r: Rkisp1IpaRow) => (step === 'computeParams' ? r.computeParamsP50Us : r.processStatsP50Us);
      const [lower, upper] = ANCHOR[step].p50;
      const ratio = p50(warm) / upper;
      const met = ratio <= TARGET;
      log(`    ${step} p50, warm: ${ratio.toFixed(1)}× the anchor's upper p50, ${(p50(warm) / lower).toFixed(1)}× its lower (target ≤ ${TARGET}× the upper: ${met ? 'PASS' : 'MISS'}); first run: ${(p50(first) / upper).toFixed(1)}×, ${(p50(first) / lower).toFixed(1)}×`);
      if (!met) misses.push(`rkisp1 IPA ${name}: ${step} p50 ${us(p50(warm))} µs warm, ${ratio.toFixed(1)}× the C++ anchor's ${upper} µs, target ≤ ${TARGET}×`);
    }
  }
  return rows;
}
