import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './support';

/**
 * A project of a user's own: ts-ipa installed as a package, the README's one line in its
 * tsconfig.json, a contract importing from 'ts-ipa' (whose core structs then come from .d.ts
 * files), built with tspc.
 */
describe('a user project', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-user-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules/ts-ipa'), 'dir');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-ipa', private: true }));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out', types: [], skipLibCheck: true,
        plugins: [{ transform: 'ts-ipa/transformer', name: 'ts-ipa/language-service' }],
      },
      include: ['src'],
    }));
    fs.mkdirSync(path.join(dir, 'src'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function build() {
    return spawnSync(process.execPath, [require.resolve('ts-patch/bin/tspc.js'), '-p', dir], { cwd: dir, encoding: 'utf8' });
  }

  it('builds a contract with the README configuration and uses its codecs', () => {
    fs.writeFileSync(path.join(dir, 'src/contract.ts'), `
import { IPAInterface, ipaEvents, ipaInterface, struct, type i32, type IPASettings, type Size, type u32 } from 'ts-ipa';

@struct()
export class Stats {
  frame!: u32;
  histogram!: u32[];
  size!: Size;
}

@ipaEvents()
export abstract class MyEvents {
  abstract done(frame: u32): void;
}

@ipaInterface('my')
export abstract class MyInterface extends IPAInterface<MyEvents> {
  abstract init(settings: IPASettings): Promise<i32>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract processStats(stats: Stats): void;
}
`);
    const result = build();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    const script = `
      const tsIpa = require('ts-ipa');
      const { Stats, MyInterface } = require('./out/contract.js');
      const value = { frame: 7, histogram: [1, 2, 3], size: { width: 640, height: 480 } };
      const { data, fds } = tsIpa.encode(Stats, value);
      const back = tsIpa.decode(Stats, data, fds);
      const model = tsIpa.contractModel(MyInterface);
      console.log(JSON.stringify({ equal: JSON.stringify(back) === JSON.stringify(value), bytes: data.length, calls: model.interface.methods.map((m) => m.name + ':' + m.cmd) }));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ equal: true, bytes: 4 + 4 + (4 + 3 * 12) + 4 + 8, calls: ['init:1', 'start:2', 'stop:3', 'processStats:4'] });
  });

  it('works with experimentalDecorators too', () => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    config.compilerOptions.experimentalDecorators = true;
    fs.writeFileSync(path.join(dir, 'tsconfig.legacy.json'), JSON.stringify({ ...config, compilerOptions: { ...config.compilerOptions, outDir: 'out-legacy' } }));
    const result = spawnSync(process.execPath, [require.resolve('ts-patch/bin/tspc.js'), '-p', path.join(dir, 'tsconfig.legacy.json')], { cwd: dir, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    const compiled = fs.readFileSync(path.join(dir, 'out-legacy/contract.js'), 'utf8');
    expect(compiled).toContain('__decorate');
    const run = spawnSync(process.execPath, ['-e', `
      const tsIpa = require('ts-ipa');
      const { Stats } = require('./out-legacy/contract.js');
      const value = { frame: 1, histogram: [], size: { width: 1, height: 2 } };
      console.log(JSON.stringify(tsIpa.decode(Stats, tsIpa.encode(Stats, value).data)));
    `], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ frame: 1, histogram: [], size: { width: 1, height: 2 } });
  });

  it("runs its own IPA module, built on ts-ipa's libipa, found through TS_IPA_MODULE_PATH: sandboxed while unsigned, in a thread once signed by a key it trusts", () => {
    fs.writeFileSync(path.join(dir, 'src/contract.ts'), `
import { IPAInterface, ipaEvents, ipaInterface, type i32, type u32 } from 'ts-ipa';

@ipaEvents()
export abstract class MyEvents {
  abstract done(frame: u32): void;
}

@ipaInterface('mine')
export abstract class MyInterface extends IPAInterface<MyEvents> {
  abstract init(): Promise<i32>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract process(frame: u32): void;
}
`);
    fs.mkdirSync(path.join(dir, 'src/ipa'), { recursive: true });
    // It imports ts-ipa and its libipa by name, through node_modules, as any module of a
    // user's would: init answers the median of a histogram of counts 1, 2, 1, doubled.
    fs.writeFileSync(path.join(dir, 'src/ipa/index.ts'), `
import { defineIPA } from 'ts-ipa';
import { Histogram } from 'ts-ipa/ipa';
import { MyInterface } from '../contract';

export default defineIPA(MyInterface, (events) => ({ init: () => new Histogram([1, 2, 1]).quantile(0.5) * 2, start() {}, stop() {}, process: (frame) => events.done(frame) }));
`);
    const result = build();
    expect(result.stdout + result.stderr).toBe('');
    fs.writeFileSync(path.join(dir, 'out/ipa/ipa-module.json'), JSON.stringify({ name: 'mine', pipeline: 'mine', version: 1, apiVersion: 1, entry: 'index.js', files: ['index.js'] }));
    const script = `
      const { IPAManager, generateKeyPair, signModule, readManifest } = require('ts-ipa');
      const { MyInterface } = require('./out/contract.js');
      const key = generateKeyPair();
      const log = [];
      const open = async (trustedKeys) => {
        const manager = new IPAManager({ env: { TS_IPA_MODULE_PATH: 'out' }, trustedKeys, log: (line) => log.push(line) });
        const ipa = await manager.createIPA(MyInterface, { pipeline: 'mine', minVersion: 1, maxVersion: 1, isolation: 'thread' });
        const frames = [];
        ipa.on('done', (frame) => frames.push(frame));
        const result = [ipa.isolation, await ipa.init()];
        ipa.process(5);
        await ipa.start();
        await ipa.close();
        return [...result, frames];
      };
      (async () => {
        const unsigned = await open([]);
        signModule('out/ipa', readManifest('out/ipa'), key.privateKey);
        const signed = await open([key.publicKey]);
        console.log(JSON.stringify({ unsigned, signed, log }));
      })();
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      unsigned: ['process', 3, [5]],
      signed: ['thread', 3, [5]],
      log: [`the IPA module mine (${path.join(fs.realpathSync(dir), 'out/ipa')}) runs isolated in a process: it is not signed`],
    });
  });

  it('fails the build with the rule, file and line', () => {
    fs.writeFileSync(path.join(dir, 'src/contract.ts'), `import { struct } from 'ts-ipa';\n\n@struct()\nexport class Bad {\n  gain!: number;\n}\n`);
    const result = build();
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("src/contract.ts(5,10): error TS99001: [ts-ipa/plain-number] field 'gain' of struct 'Bad' is a plain 'number'");
  });
});
