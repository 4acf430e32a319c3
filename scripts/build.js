#!/usr/bin/env node
// Builds ts-ipa: the transformer with plain tsc, then everything else with tspc (TypeScript with
// ts-patch), which runs that transformer on the contract modules.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const tspc = require.resolve('ts-patch/bin/tspc.js');
const quiet = process.argv.includes('--quiet');
const withTestContracts = process.argv.includes('--with-test-contracts');

/**
 * tsc's incremental builds only know about sources, not about the transformer that rewrites
 * them: once the transformer changes, every build that ran it starts over.
 */
function forgetBuildsOlderThanTheTransformer() {
  const dist = path.join(root, 'dist');
  const newest = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }, 0);
  const transformerTime = newest(path.join(dist, 'transformer'));
  for (const info of ['main.tsbuildinfo', 'test-contracts.tsbuildinfo']) {
    const file = path.join(dist, info);
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs < transformerTime) fs.rmSync(file);
  }
}

function step(label, bin, project) {
  const started = process.hrtime.bigint();
  if (!quiet) process.stdout.write(`build: ${label} ... `);
  const result = spawnSync(process.execPath, [bin, '-p', project], { cwd: root, encoding: 'utf8' });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  if (result.status !== 0) {
    if (!quiet) process.stdout.write('failed\n');
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
  if (!quiet) process.stdout.write(`done in ${ms} ms\n`);
}

step('transformer (tsc)', tsc, 'transformer/tsconfig.json');
forgetBuildsOlderThanTheTransformer();
step('runtime, platforms, CLI and bench (tspc + ts-ipa transformer)', tspc, 'tsconfig.json');
if (withTestContracts) step('test contracts (tspc + ts-ipa transformer)', tspc, 'test/contracts/tsconfig.json');
