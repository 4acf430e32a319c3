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

/**
 * The built-in platforms' IPA modules get their manifests and are signed, as libcamera signs its
 * modules at build time, but with a key that lives only while this function runs: a fresh pair
 * each build, the private half never written anywhere, the public half shipped with the runtime
 * (dist/runtime/modules/project-key.pem) and trusted. A private key on disk in the build tree
 * would be inside the installed package, which sandboxed IPAs may read, and whoever holds it can
 * make any module run unsandboxed; an ephemeral key leaves nothing to steal. Rebuilding signs
 * again with a new key. Older builds kept the pair in dist/keys/: it is deleted.
 */
function signBuiltInModules(tree = root, { quiet: silent = false } = {}) {
  const { generateKeyPair, readManifest, signModule } = require(path.join(root, 'dist/runtime/modules'));
  fs.rmSync(path.join(tree, 'dist/keys'), { recursive: true, force: true });
  const pair = generateKeyPair();
  fs.writeFileSync(path.join(tree, 'dist/runtime/modules/project-key.pem'), pair.publicKey);
  const signed = [];
  for (const platform of fs.readdirSync(path.join(tree, 'platforms')).sort()) {
    const manifest = path.join(tree, 'platforms', platform, 'ipa/ipa-module.json');
    if (!fs.existsSync(manifest)) continue;
    const built = path.join(tree, 'dist/platforms', platform, 'ipa');
    fs.copyFileSync(manifest, path.join(built, 'ipa-module.json'));
    // Data the IPA reads (tuning files) ships beside its code, signed with it.
    const data = path.join(tree, 'platforms', platform, 'ipa/data');
    if (fs.existsSync(data)) fs.cpSync(data, path.join(built, 'data'), { recursive: true });
    signModule(built, readManifest(built), pair.privateKey);
    signed.push(platform);
  }
  if (!silent) process.stdout.write(`build: signed the built-in IPA modules (${signed.join(', ')}) with key ${pair.keyId}, not kept\n`);
  return signed;
}

module.exports = { signBuiltInModules };

if (require.main === module) {
  step('transformer (tsc)', tsc, 'transformer/tsconfig.json');
  forgetBuildsOlderThanTheTransformer();
  step('runtime, platforms, CLI and bench (tspc + ts-ipa transformer)', tspc, 'tsconfig.json');
  if (withTestContracts) step('test contracts (tspc + ts-ipa transformer)', tspc, 'test/contracts/tsconfig.json');
  signBuiltInModules(root, { quiet });
}
