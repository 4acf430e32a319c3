/**
 * The rkisp1 IPA's per-frame cost beside libcamera's C++ rkisp1 IPA: computeParams and
 * processStats, in a closed loop from each oracle trace (./rkisp1-loop), the IPA class in this
 * thread as the C++ anchor ran it in-process, and once through createProxy's direct isolation
 * (what a user of the module pays). The anchor is the figure recorded in the oracle README,
 * "C++ per-frame cost": the kit's lc-ipa-driver runs that IPA only behind its isolated proxy
 * (rkisp1-sequence) and times no call inside the worker, so it cannot be measured in this run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { median, percentile } from './harness';
import { findTraces } from './oracle-trace';
import { clockCost, closedLoop, type LoopResult, type Trace } from './rkisp1-loop';

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
/** As the anchor: 5000 frames, the first 100 calls dropped. */
const FRAMES = 5000;
const QUICK_FRAMES = 1500;
const DROPPED = 100;
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

const IN_PROCESS = 'ts-ipa RkISP1IPA in-process';
const PROXY = "ts-ipa createProxy 'direct'";

function quantiles(samples: Float64Array): { p50: number; p99: number } {
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const us = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

function row(trace: string, impl: string, runs: LoopResult[]): Rkisp1IpaRow {
  const middle = (step: Step, p: 'p50' | 'p99') => median(runs.map((r) => quantiles(r[step])[p]));
  return {
    suite: 'rkisp1-ipa', trace, impl, frames: runs[0]!.computeParams.length + DROPPED,
    computeParamsP50Us: middle('computeParams', 'p50'), computeParamsP99Us: middle('computeParams', 'p99'),
    processStatsP50Us: middle('processStats', 'p50'), processStatsP99Us: middle('processStats', 'p99'),
  };
}

/**
 * Runs the section, printing through `log`; a step over target is added to `misses`. `quick`
 * runs fewer frames, once; otherwise each trace runs 3 times in-process (the median counts).
 */
export async function rkisp1IpaSection(quick: boolean, log: (line: string) => void, misses: string[]): Promise<Rkisp1IpaRow[]> {
  const found = findTraces(TRACES);
  if ('why' in found) {
    log(`  skipped: ${found.why}`);
    return [];
  }
  const frames = quick ? QUICK_FRAMES : FRAMES;
  const runs = quick ? 1 : 3;
  log(`  ${frames} frames a run, closed loop, first ${DROPPED} calls dropped; in-process: median of ${runs} run${runs > 1 ? 's' : ''}`);
  log(`  anchor: libcamera's C++ rkisp1 IPA (uncalibrated, V10), in-process, 5000 frames: the oracle README's recorded figure ("C++ per-frame cost", ranges over 4 runs), NOT measured in this run`);
  log(`  (the kit's lc-ipa-driver drives that IPA only behind its isolated proxy, rkisp1-sequence, and times no call inside the worker)`);
  log(`  clock: performance.now() read twice back to back p50 ${us(quantiles(clockCost(10_000)).p50)} µs, included in each figure`);
  const rows: Rkisp1IpaRow[] = [];
  for (const file of TRACES) {
    const trace = JSON.parse(fs.readFileSync(path.join(found.dir, file), 'utf8')) as Trace;
    const name = path.basename(file, '.json');
    const own: LoopResult[] = [];
    for (let i = 0; i < runs; i++) own.push(await closedLoop(trace, 'in-process', frames, DROPPED));
    const proxied = await closedLoop(trace, 'proxy', frames, DROPPED);
    const settled = own[own.length - 1]!.settled;
    log(`\n  ${name} (the loop settled at exposure ${settled.exposure} lines, gain code ${settled.gain}):`);
    for (const r of [row(name, IN_PROCESS, own), row(name, PROXY, [proxied])]) {
      rows.push(r);
      log(`    ${r.impl.padEnd(30)} computeParams p50 ${us(r.computeParamsP50Us).padStart(5)} µs  p99 ${us(r.computeParamsP99Us).padStart(5)} µs   processStats p50 ${us(r.processStatsP50Us).padStart(5)} µs  p99 ${us(r.processStatsP99Us).padStart(5)} µs`);
    }
    const a = ANCHOR;
    log(`    ${"libcamera C++ (README's)".padEnd(30)} computeParams p50 ${a.computeParams.p50.join('–')} µs  p99 ${a.computeParams.p99.join('–')} µs   processStats p50 ${a.processStats.p50.join('–')} µs  p99 ${a.processStats.p99.join('–')} µs`);
    const ours = rows[rows.length - 2]!;
    for (const step of STEPS) {
      const p50 = step === 'computeParams' ? ours.computeParamsP50Us : ours.processStatsP50Us;
      const [lower, upper] = ANCHOR[step].p50;
      const ratio = p50 / upper;
      const met = ratio <= TARGET;
      log(`    ${step} p50 in-process: ${ratio.toFixed(1)}× the anchor's upper p50, ${(p50 / lower).toFixed(1)}× its lower (target ≤ ${TARGET}× the upper: ${met ? 'PASS' : 'MISS'})`);
      if (!met) misses.push(`rkisp1 IPA ${name}: ${step} p50 ${us(p50)} µs, ${ratio.toFixed(1)}× the C++ anchor's ${upper} µs, target ≤ ${TARGET}×`);
    }
  }
  return rows;
}
