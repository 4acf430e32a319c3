/**
 * `node dist/bench/rkisp1-runs.js TRACE FRAMES RUNS`: the rkisp1 closed loop (./rkisp1-loop) on
 * one trace, RUNS times in this fresh process with the IPA class called in-process, then once
 * through createProxy's direct isolation; prints each run's p50 and p99 per step as one JSON line.
 * A process of its own per trace, so that the first run is V8's cold start for every trace.
 */
import fs from 'node:fs';
import { percentile } from './harness';
import { closedLoop, type LoopResult, type Trace } from './rkisp1-loop';

/** As the anchor: the first 100 calls dropped. */
export const DROPPED = 100;

export interface Quantiles { p50: number; p99: number }
export interface RunFigures { mode: 'in-process' | 'proxy'; computeParams: Quantiles; processStats: Quantiles; settled: LoopResult['settled'] }

function quantiles(samples: Float64Array): Quantiles {
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main(): Promise<void> {
  const [file, frames, runs] = process.argv.slice(2);
  const trace = JSON.parse(fs.readFileSync(file!, 'utf8')) as Trace;
  const figures: RunFigures[] = [];
  const measure = async (mode: RunFigures['mode']) => {
    const r = await closedLoop(trace, mode, Number(frames), DROPPED);
    figures.push({ mode, computeParams: quantiles(r.computeParams), processStats: quantiles(r.processStats), settled: r.settled });
  };
  for (let i = 0; i < Number(runs); i++) await measure('in-process');
  await measure('proxy');
  console.log(JSON.stringify(figures));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
