/**
 * `npm run bench [-- --json] [-- --quick]`: the codec against its peers, side by side in one run,
 * and the transformer's cost in a build. Prints ops/s and ratios and checks the targets;
 * `--json` also writes bench/results/codec.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codecCases } from './codec';
import { compare } from './harness';
import { transformerCost } from './transformer-cost';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const root = path.join(__dirname, '../..');

interface Row {
  suite: string;
  case: string;
  impl: string;
  opsPerSec: number;
  bytes: number;
}

/** Targets: ts-ipa's encode+decode throughput against each peer, on every case. */
const targets: Record<string, number> = { msgpackr: 2, 'v8.serialize': 5, 'hand-written': 0.8 };
const TRANSFORMER_TARGET = 1.25;

function format(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);
}

function main(): void {
  console.log(`ts-ipa bench: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}`);
  const rows: Row[] = [];
  const misses: string[] = [];

  for (const c of codecCases()) {
    const bytes = Object.fromEntries(Object.entries(c.impls).map(([impl, run]) => [impl, run()]));
    const measured = compare(c.impls, { rounds: quick ? 3 : 7, roundMs: quick ? 60 : 250 });
    const ours = measured.find((m) => m.impl === 'ts-ipa')!.opsPerSec;
    console.log(`\n${c.name}: encode + decode`);
    for (const m of measured) {
      const ratio = m.impl === 'ts-ipa' ? '' : `ts-ipa is ${(ours / m.opsPerSec).toFixed(2)}×`;
      const target = targets[m.impl];
      const verdict = target === undefined ? '' : ours / m.opsPerSec >= target ? `(target ≥ ${target}×: met)` : `(target ≥ ${target}×: MISSED)`;
      if (verdict.includes('MISSED')) misses.push(`${c.name}: ${ratio} ${m.impl}, target ${target}×`);
      console.log(`  ${m.impl.padEnd(14)} ${format(m.opsPerSec).padStart(9)} ops/s  ${String(bytes[m.impl]).padStart(5)} B  ${ratio} ${verdict}`);
      rows.push({ suite: 'codec', case: c.name, impl: m.impl, opsPerSec: Math.round(m.opsPerSec), bytes: bytes[m.impl]! });
    }
  }

  console.log('\nTransformer cost: full builds of runtime/ and platforms/ (median)');
  const builds = transformerCost(quick ? 1 : 5);
  const ms = (impl: string): number => builds.find((b) => b.impl === impl)!.ms;
  const tsc = ms('tsc');
  for (const b of builds) console.log(`  ${b.impl.padEnd(36)} ${b.ms.toFixed(0).padStart(6)} ms  ${(b.ms / tsc).toFixed(2)}× tsc`);
  const withPlugin = ms('tsc (ts-patch installed) + ts-ipa') / tsc;
  const pluginAlone = ms('tsc (ts-patch installed) + ts-ipa') / ms('tsc (ts-patch installed), no plugin');
  console.log(`  the transformer alone: ${pluginAlone.toFixed(2)}× the same patched tsc without it`);
  console.log(`  target ≤ ${TRANSFORMER_TARGET}× tsc (patched tsc + ts-ipa): ${withPlugin <= TRANSFORMER_TARGET ? 'met' : 'MISSED'}`);
  if (withPlugin > TRANSFORMER_TARGET) misses.push(`transformer: ${withPlugin.toFixed(2)}× tsc, target ≤ ${TRANSFORMER_TARGET}×`);
  rows.push(...builds.map((b) => ({ suite: 'transformer', case: 'build runtime/ and platforms/', impl: b.impl, opsPerSec: 1000 / b.ms, bytes: 0 })));

  if (args.has('--json')) {
    const out = path.join(root, 'bench/results/codec.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  }
  console.log(misses.length === 0 ? '\nall targets met' : `\ntargets missed:\n  ${misses.join('\n  ')}`);
}

main();
