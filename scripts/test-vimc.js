#!/usr/bin/env node
// `npm run test:vimc`: builds here, then runs the real-driver suite (test/vimc/) inside a VM whose
// kernel has the vimc camera driver (the shared vimc-vm tool) and, loaded beside it, vivid (for
// metadata nodes), and exits with the suite's status.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stageVivid } = require('./vivid-modules');

const root = path.join(__dirname, '..');
const candidates = [
  process.env.TS_IPA_VIMC_VM,
  path.join(root, '../shared/vimc-vm/run-in-vimc-vm.sh'),
  '/work/shared/vimc-vm/run-in-vimc-vm.sh',
].filter(Boolean);
const vm = candidates.find((file) => fs.existsSync(file));
if (!vm) {
  console.error(`test:vimc: the vimc VM tool is not here (looked for ${candidates.join(', ')}); set TS_IPA_VIMC_VM to its run-in-vimc-vm.sh`);
  process.exit(1);
}
console.log('test:vimc: building');
execFileSync(process.execPath, [path.join(root, 'scripts/build.js'), '--quiet'], { cwd: root, stdio: 'inherit' });
// What the suite needs, and nothing the guest cannot use: the VM copies the whole directory into
// its memory, and looks up the libraries of every native module in it (the benchmark's optional
// msgpackr addons include a musl build it cannot).
const LEFT_OUT = new Set(['.git', 'frames', 'bench', 'transformer', 'runtime', 'ipa', 'camera', 'platforms', 'cli']);
const LEFT_OUT_MODULES = new Set(['@msgpackr-extract', 'msgpackr-extract', 'msgpackr', 'protobufjs', 'typescript', 'ts-patch', 'fast-check', 'pnpm', 'prebuildify']);
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-vimc-'));
try {
  fs.cpSync(root, stage, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => {
      const rel = path.relative(root, from).split(path.sep);
      if (rel[0] === '') return true;
      if (rel.length === 1 && LEFT_OUT.has(rel[0])) return false;
      if (rel[0] === 'node_modules' && rel.length === 2 && LEFT_OUT_MODULES.has(rel[1])) return false;
      if (rel[0] === 'native' && rel[1] === 'build' && rel.length > 2 && rel[2] !== 'Release') return false;
      return true;
    },
  });
  const loadVivid = stageVivid(stage);
  console.log(`test:vimc: running test/vimc/ on the real vimc and vivid drivers (${vm})`);
  const suite = `${loadVivid} || { echo 'test:vimc: vivid did not load'; exit 1; }; exec npx vitest run --config vitest.vimc.config.mts "$@"`;
  const modes = `VIMC_MODES=${process.env.VIMC_MODES ?? 'process,thread,direct'}`;
  const result = spawnSync('bash', [vm, '--dir', stage, '--', 'env', modes, 'sh', '-c', suite, 'sh', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
