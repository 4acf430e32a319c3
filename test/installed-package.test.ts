/**
 * The packed tarball installed into fresh projects as users install it (npm, npm without
 * scripts, pnpm), then used: the native addon and launcher come from the prebuild it ships.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedProject, packedTarball, PNPM, run, type Installer } from './packed';
import { root } from './support';
import { kit, kitMissing } from './libcamera-kit';

const INSTALL_TIMEOUT = 600_000;

const pngsIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();

/** How a project runs the commands its packages install: npx, or pnpm exec. */
type Exec = readonly [string, ...string[]];
const NPX: Exec = ['npx', '--no-install'];

/** `ts-ipa capture` of 3 simulated frames, in the default (process) mode; its exit code, output and PNG files. */
function capture(project: string, exec: Exec) {
  const out = fs.mkdtempSync(path.join(project, 'frames-'));
  const result = spawnSync(exec[0], [...exec.slice(1), 'ts-ipa', 'capture', '--frames', '3', '--camera', 'simulated', '--out', out], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: result.stdout + result.stderr, pngs: pngsIn(out) };
}

const APP_CHECK = `ts.encode(ts.Size, { width: 640, height: 480 }).data.length + ' ' + typeof vimc.VimcCamera + ' ' + typeof v4l2.MediaDevice.open + ' ' + ts.sandboxSupport().landlockAbi + ' ' + new ipa.Histogram([1, 2, 1]).quantile(0.5)`;

describe.each<[Installer, Exec]>([
  ['npm', NPX],
  ['npm --ignore-scripts', NPX],
  ['pnpm', [process.execPath, PNPM, 'exec']],
])('the packed package installed with %s', (installer, exec) => {
  const name = installer.replace(/\W+/g, '-');
  let cjs: string;

  it('loads from a CommonJS app, subpaths and the native addon included', () => {
    // What README's install line adds beside it, to build contracts.
    cjs = installedProject(`${name}-cjs`, installer, {}, ['typescript@5.9.3', 'ts-patch@3.3.0', '@types/node@20.19.43']);
    const line = run(process.execPath, ['-e', `const ts = require('ts-ipa'), v4l2 = require('ts-ipa/v4l2'), vimc = require('ts-ipa/platforms/vimc'), ipa = require('ts-ipa/ipa'); console.log(${APP_CHECK})`], { cwd: cjs });
    expect(line).toMatch(/^8 function function \d+ 1\.5\n$/);
  }, INSTALL_TIMEOUT);

  it('loads from an ES module app, which runs the camera example of docs/cameras.md on the simulated vimc', () => {
    const esm = installedProject(`${name}-esm`, installer, { type: 'module' });
    fs.writeFileSync(path.join(esm, 'app.js'), `import * as ts from 'ts-ipa';\nimport * as v4l2 from 'ts-ipa/v4l2';\nimport * as ipa from 'ts-ipa/ipa';\nimport { VimcCamera } from 'ts-ipa/platforms/vimc';\nconst vimc = { VimcCamera };\nconsole.log(${APP_CHECK});\n`);
    expect(run(process.execPath, ['app.js'], { cwd: esm })).toMatch(/^8 function function \d+ 1\.5\n$/);
    // The example as docs/cameras.md prints it (no vimc device here: it takes the simulated one).
    const example = /```ts\n(import { findVimcDevices[\s\S]*?)```/.exec(fs.readFileSync(path.join(root, 'docs/cameras.md'), 'utf8'))![1]!;
    fs.writeFileSync(path.join(esm, 'camera.js'), `${example}console.log(first.sequence, second.sequence, first.data.length);\n`);
    expect(run(process.execPath, ['camera.js'], { cwd: esm })).toBe(`0 1 ${640 * 480 * 3}\n`);
  }, INSTALL_TIMEOUT);

  it("drives libcamera's own C++ vimc worker with peer: 'libcamera', through the launcher it ships", () => {
    expect(kit, kitMissing).toBeDefined();
    const app = path.join(cjs, 'libcamera-peer.js');
    fs.writeFileSync(app, `const { createProxy, SharedFD } = require('ts-ipa');
const { IPAVimcInterface, IPAOperationCode, TestFlag } = require('ts-ipa/platforms/vimc');
(async () => {
  const ipa = await createProxy(IPAVimcInterface, { module: ${JSON.stringify(path.join(kit!, 'ipa/ipa_vimc.so'))}, peer: 'libcamera', workerCommand: [${JSON.stringify(path.join(kit!, 'bin/vimc_ipa_proxy'))}] });
  const { ret, outFlags } = await ipa.init({ configurationFile: ${JSON.stringify(path.join(kit!, 'ipa/data/vimc/vimc.conf'))}, sensorModel: 'sensor' }, new SharedFD(-1), IPAOperationCode.IPAOperationInit, TestFlag.Flag2);
  console.log(ret, outFlags, await ipa.start());
  await ipa.close();
})();
`);
    expect(run(process.execPath, [app], { cwd: cjs, env: { ...process.env, LIBCAMERA_LOG_LEVELS: '*:ERROR' } })).toBe('0 1 0\n');
  }, INSTALL_TIMEOUT);

  it('runs the ts-ipa command: --version, and a capture with the IPA isolated in a process', () => {
    expect(run(exec[0], [...exec.slice(1), 'ts-ipa', '--version'], { cwd: cjs })).toBe(`ts-ipa ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
    const result = capture(cjs, exec);
    expect(result.output).toContain('IPA in process mode');
    expect(result.status, result.output).toBe(0);
    expect(result.pngs).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png']);
  }, INSTALL_TIMEOUT);

  it('builds a contract and an IPA module of its own with tspc, and runs the module sandboxed in a process', () => {
    const src = path.join(cjs, 'src');
    fs.mkdirSync(path.join(src, 'ipa'), { recursive: true });
    fs.writeFileSync(path.join(cjs, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', strict: true, outDir: 'out', types: [], skipLibCheck: true, plugins: [{ transform: 'ts-ipa/transformer' }] },
      include: ['src'],
    }));
    fs.writeFileSync(path.join(src, 'contract.ts'), `
import { IPAInterface, ipaEvents, ipaInterface, type i32, type u32 } from 'ts-ipa';
@ipaEvents()
export abstract class MyEvents { abstract done(frame: u32): void; }
@ipaInterface('mine')
export abstract class MyInterface extends IPAInterface<MyEvents> {
  abstract init(): Promise<i32>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract process(frame: u32): void;
}
`);
    fs.writeFileSync(path.join(src, 'ipa/index.ts'), `
import { defineIPA } from 'ts-ipa';
import { MyInterface } from '../contract';
export default defineIPA(MyInterface, (events) => ({ init: () => 7, start() {}, stop() {}, process: (frame) => events.done(frame) }));
`);
    run(exec[0], [...exec.slice(1), 'tspc', '-p', cjs], { cwd: cjs });
    // The generated code's helpers come from the package's internal face, not its public one.
    expect(fs.readFileSync(path.join(cjs, 'out/contract.js'), 'utf8')).toContain('require("ts-ipa/internal")');
    fs.writeFileSync(path.join(cjs, 'out/ipa/ipa-module.json'), JSON.stringify({ name: 'mine', pipeline: 'mine', version: 1, apiVersion: 1, entry: 'index.js', files: ['index.js'] }));
    const line = run(process.execPath, ['-e', `
      const { IPAManager } = require('ts-ipa');
      const { MyInterface } = require('./out/contract.js');
      (async () => {
        const manager = new IPAManager({ env: { TS_IPA_MODULE_PATH: 'out' }, log: () => {} });
        const ipa = await manager.createIPA(MyInterface, { pipeline: 'mine', minVersion: 1, maxVersion: 1, isolation: 'thread' });
        const frames = [];
        ipa.on('done', (frame) => frames.push(frame));
        const ret = await ipa.init();
        ipa.process(5);
        await ipa.start();
        await ipa.close();
        console.log(JSON.stringify([ipa.isolation, ret, frames]));
      })();
    `], { cwd: cjs });
    expect(JSON.parse(line)).toEqual(['process', 7, [5]]);
  }, INSTALL_TIMEOUT);

  // With the README's install line (@types/node beside ts-ipa) and the library's files checked too.
  it.each(['node10', 'node16', 'bundler'])('gives types to every subpath with moduleResolution %s', (resolution) => {
    const module = resolution === 'node16' ? 'node16' : resolution === 'bundler' ? 'preserve' : 'commonjs';
    const dir = fs.mkdtempSync(path.join(cjs, `types-${resolution}-`));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module, moduleResolution: resolution, strict: true, noEmit: true, target: 'ES2022' }, files: ['use.ts'] }));
    fs.writeFileSync(path.join(dir, 'use.ts'), `
import { encode, Size } from 'ts-ipa';
import { MediaDevice } from 'ts-ipa/v4l2';
import { Histogram } from 'ts-ipa/ipa';
import { VimcCamera, IPAVimcInterface } from 'ts-ipa/platforms/vimc';
import { IPARkISP1Interface } from 'ts-ipa/platforms/rkisp1';
import { IPARPiInterface } from 'ts-ipa/platforms/raspberrypi';
import { defineContract } from 'ts-ipa/internal';
export const register: typeof defineContract = defineContract;
export const open: (path: string) => MediaDevice = MediaDevice.open;
export const camera: typeof VimcCamera.open = VimcCamera.open;
export const contracts = [IPAVimcInterface, IPARkISP1Interface, IPARPiInterface];
export const bytes: Uint8Array = encode(Size, { width: 640, height: 480 }).data;
export const median: number = new Histogram([1, 2, 1]).quantile(0.5);
// @ts-expect-error: typed, not any
MediaDevice.open(42);
`);
    const result = spawnSync(exec[0], [...exec.slice(1), 'tsc', '-p', dir], { cwd: cjs, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, INSTALL_TIMEOUT);
});

describe('the packed package', () => {
  it('holds what users need: the built runtime, CLI, platforms, prebuilt addon and launcher, LICENSE; no tests, build info, source maps or private key', () => {
    const files = run('tar', ['-tzf', packedTarball()]).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of ['package.json', 'LICENSE', 'README.md', 'dist/cli/main.js', 'dist/runtime/index.d.ts', 'dist/platforms/vimc/index.js', 'dist/platforms/vimc/ipa/ipa-module.sig', 'dist/runtime/modules/project-key.pem', 'native/binding.gyp', 'native/src/launch.c', 'native/prebuilds/linux-x64/ts-ipa-launch']) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /^native\/prebuilds\/linux-x64\/[^/]+\.node$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => /dist\/test\/|tsbuildinfo|\.map$|keys\/|signing-key|^test\/|^scripts\/|native\/build\//.test(f))).toEqual([]);
  }, INSTALL_TIMEOUT);

  it('without a prebuild for the platform, says how to build the addon, and `npm rebuild` compiles it', () => {
    const project = installedProject('no-prebuild', 'npm --ignore-scripts');
    fs.rmSync(path.join(project, 'node_modules/ts-ipa/native/prebuilds'), { recursive: true });
    const failed = capture(project, NPX);
    expect(failed.status).toBe(1);
    expect(failed.output).toContain("cannot find ts-ipa's native addon");
    expect(failed.output).toContain('npm rebuild ts-ipa');
    const packageJson = path.join(project, 'package.json');
    fs.writeFileSync(packageJson, JSON.stringify({ ...JSON.parse(fs.readFileSync(packageJson, 'utf8')), allowScripts: { 'ts-ipa': true } }));
    run('npm', ['rebuild', 'ts-ipa'], { cwd: project });
    const rebuilt = capture(project, NPX);
    expect(rebuilt.status, rebuilt.output).toBe(0);
    expect(rebuilt.pngs).toHaveLength(3);
  }, INSTALL_TIMEOUT);
});
