#!/usr/bin/env node
// Builds ts-ipa: the transformer with plain tsc, then everything else with tspc (TypeScript with
// ts-patch), which runs that transformer on the contract modules.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const tspc = require.resolve('ts-patch/bin/tspc.js');
const quiet = process.argv.includes('--quiet');
const withTestContracts = process.argv.includes('--with-test-contracts');

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
step('runtime, platforms, CLI and bench (tspc + ts-ipa transformer)', tspc, 'tsconfig.json');
if (withTestContracts) step('test contracts (tspc + ts-ipa transformer)', tspc, 'test/contracts/tsconfig.json');
