/**
 * How many frames an AGC or AWB takes to settle: the first frame from which every value stays
 * within a tolerance of where it settles; and that count for libcamera's rkisp1 IPA in the
 * oracle traces, the bound the pipeline's closed loop is held to.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ORACLE_TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];

/** The first sequence from which every row's values are within `tolerance` of `settled`; Infinity if the last row is not. */
export function convergenceFrame(rows: readonly (readonly [number, readonly number[]])[], settled: readonly number[], tolerance = 0.05): number {
  let first = Infinity;
  for (let i = rows.length - 1; i >= 0; i--) {
    const [sequence, values] = rows[i]!;
    if (!values.every((v, k) => Math.abs(v / settled[k]! - 1) <= tolerance)) break;
    first = sequence;
  }
  return first;
}

interface TraceCall {
  call: string;
  frame: number;
  events: { event: string; args: { metadata?: Record<string, { name: string; value: number | number[] }> } }[];
}

/**
 * The frames libcamera's IPA took in the traces for its exposure (time times gain) and its colour
 * gains to settle within 5 % of their final values: the larger, over every trace.
 */
export function oracleConvergence(dir: string): number {
  let frames = 0;
  for (const name of ORACLE_TRACES) {
    const trace = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { calls: TraceCall[] };
    const rows = trace.calls.filter((c) => c.call === 'processStats').map((c) => {
      const metadata = c.events.find((e) => e.event === 'metadataReady')!.args.metadata!;
      const value = (control: string) => Object.values(metadata).find((v) => v.name === control)!.value;
      return { frame: c.frame, exposure: (value('ExposureTime') as number) * (value('AnalogueGain') as number), gains: value('ColourGains') as number[] };
    });
    const last = rows[rows.length - 1]!;
    frames = Math.max(frames,
      convergenceFrame(rows.map((r) => [r.frame, [r.exposure]]), [last.exposure]),
      convergenceFrame(rows.map((r) => [r.frame, r.gains]), last.gains));
  }
  return frames;
}
