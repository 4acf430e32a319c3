#!/usr/bin/env node
// The pack step (npm's prepack): compiles the addon with prebuildify into
// native/prebuilds/<platform>-<arch>/, and copies the sandbox's launcher beside it (prebuildify
// copies only .node files), so that an install needs no compiler, nor its install script to run.
// `--remove` (npm's postpack) removes them again: in the working tree a prebuild would stand in
// for the addon `npm install` compiles, however old.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const native = path.join(__dirname, '..', 'native');
const quiet = process.argv.includes('--quiet');
const prebuilds = path.join(native, 'prebuilds');
if (process.argv.includes('--remove')) {
  fs.rmSync(prebuilds, { recursive: true, force: true });
  process.exit(0);
}
// prebuildify rebuilds in its working directory and moves the addon out of build/Release: in a
// copy of native/, so that native/build (which the working tree and its tests load) is left be.
// Inside native/, so that binding.gyp still finds node-addon-api.
const scratch = path.join(native, 'build-prebuild');
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(scratch);
fs.copyFileSync(path.join(native, 'binding.gyp'), path.join(scratch, 'binding.gyp'));
fs.cpSync(path.join(native, 'src'), path.join(scratch, 'src'), { recursive: true });

const target = path.join(prebuilds, `${process.platform}-${process.arch}`);
fs.rmSync(target, { recursive: true, force: true }); // what an earlier pack left, under other names
// Node-API: one build for every Node version. The libc tag keeps a glibc build from being
// picked on musl (node-gyp-build compiles there instead). The name is the addon's target. The
// target is this Node, whose headers node-gyp already has (prebuildify's default, the newest
// Node it knows, would download another's).
const args = [
  require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--tag-libc', '--name', 'ts_ipa_native',
  '--target', `node@${process.versions.node}`, '--out', native, ...(quiet ? ['--quiet'] : []),
];
// npm runs scripts with its own node-gyp on PATH and names it in npm_config_node_gyp.
const env = { ...process.env, PREBUILD_NODE_GYP: process.env.PREBUILD_NODE_GYP ?? process.env.npm_config_node_gyp ?? 'node-gyp' };
const built = spawnSync(process.execPath, args, { cwd: scratch, stdio: 'inherit', env });
if (built.status !== 0) {
  process.stderr.write(`prebuild: prebuildify failed (exit ${built.status ?? built.signal}) in ${scratch}${quiet ? '; `npm run build:prebuilds` shows its output' : ''}\n`);
  process.exit(1);
}
const launcher = path.join(scratch, 'build/Release/ts-ipa-launch');
if (!fs.existsSync(launcher)) {
  process.stderr.write(`prebuild: ${launcher} is missing after the build: binding.gyp should build it beside the addon\n`);
  process.exit(1);
}
fs.copyFileSync(launcher, path.join(target, 'ts-ipa-launch'));
fs.chmodSync(path.join(target, 'ts-ipa-launch'), 0o755);
fs.rmSync(scratch, { recursive: true, force: true });
if (!quiet) process.stdout.write(`prebuild: ${fs.readdirSync(target).map((f) => path.relative(path.join(native, '..'), path.join(target, f))).join(', ')}\n`);
