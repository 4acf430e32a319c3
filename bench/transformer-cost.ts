/** How much the ts-ipa transformer adds to a build of the repository's contracts. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './harness';

const root = path.join(__dirname, '../..');

export interface BuildTiming {
  impl: string;
  ms: number;
}

function project(dir: string, withPlugin: boolean): string {
  const file = path.join(dir, `tsconfig.${withPlugin ? 'plugin' : 'plain'}.json`);
  fs.writeFileSync(file, JSON.stringify({
    extends: path.join(root, 'tsconfig.base.json'),
    compilerOptions: {
      outDir: path.join(dir, withPlugin ? 'plugin' : 'plain'),
      rootDir: root,
      typeRoots: [path.join(root, 'node_modules/@types')],
      incremental: false,
      plugins: withPlugin ? [{ transform: path.join(root, 'dist/transformer/plugin.js') }] : [],
    },
    include: [path.join(root, 'runtime'), path.join(root, 'platforms')],
  }));
  return file;
}

function time(bin: string, config: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, '-p', config], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(bin)} failed:\n${result.stdout}${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Full (non-incremental) builds of runtime/ and platforms/, alternating, `runs` times each: plain
 * tsc; tsc patched in place by `ts-patch install` (a copy of this TypeScript) without and with
 * the transformer; and `tspc`, which patches tsc in memory on every run.
 */
export function transformerCost(runs: number): BuildTiming[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-bench-'));
  try {
    const tsc = require.resolve('typescript/bin/tsc');
    const patchedTs = path.join(dir, 'node_modules/typescript');
    fs.cpSync(path.dirname(path.dirname(tsc)), patchedTs, { recursive: true });
    const patch = spawnSync(process.execPath, [require.resolve('ts-patch/bin/ts-patch.js'), 'install', '-s', '-d', patchedTs], { encoding: 'utf8' });
    if (patch.status !== 0) throw new Error(`ts-patch install failed:\n${patch.stdout}${patch.stderr}`);
    const patchedTsc = path.join(patchedTs, 'bin/tsc');
    const tspc = require.resolve('ts-patch/bin/tspc.js');
    const plain = project(dir, false);
    const plugin = project(dir, true);
    const builds: [string, string, string][] = [
      ['tsc', tsc, plain],
      ['tsc (ts-patch installed), no plugin', patchedTsc, plain],
      ['tsc (ts-patch installed) + ts-ipa', patchedTsc, plugin],
      ['tspc + ts-ipa', tspc, plugin],
    ];
    const samples = new Map<string, number[]>(builds.map(([name]) => [name, []]));
    for (let i = 0; i < runs; i++) {
      for (const [name, bin, config] of builds) samples.get(name)!.push(time(bin, config));
    }
    return builds.map(([impl]) => ({ impl, ms: median(samples.get(impl)!) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
