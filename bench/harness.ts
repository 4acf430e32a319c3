/**
 * A side-by-side throughput harness. Each implementation runs in batches long enough for the
 * clock to be exact; rounds alternate between implementations so that drift in the machine's
 * speed (the other core busy, frequency changes) hits them all alike; the median round counts.
 */
export interface Measured {
  impl: string;
  opsPerSec: number;
}

export interface HarnessOptions {
  rounds: number;
  roundMs: number;
}

function timeBatch(fn: () => void, batch: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** How many calls take about `ms` milliseconds. */
function calibrate(fn: () => void, ms: number): number {
  let batch = 1;
  for (;;) {
    const seconds = timeBatch(fn, batch);
    if (seconds * 1000 >= ms / 4 || batch >= 1 << 24) return Math.max(1, Math.round((batch * ms) / 1000 / seconds));
    batch *= 4;
  }
}

export function compare(impls: Record<string, () => void>, { rounds, roundMs }: HarnessOptions): Measured[] {
  const names = Object.keys(impls);
  const batches = new Map(names.map((name) => [name, calibrate(impls[name]!, roundMs)]));
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const batch = batches.get(name)!;
      samples.get(name)!.push(batch / timeBatch(impls[name]!, batch));
    }
  }
  return names.map((impl) => ({ impl, opsPerSec: median(samples.get(impl)!) }));
}

/** The value below which `p` per cent of `sorted` lie (0 for no values). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
