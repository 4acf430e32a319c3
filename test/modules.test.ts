import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveChildren, openFds, root, runtime } from './support';
import { IPAVimcInterface } from '../dist/platforms/vimc/contract.js';

const { IPAManager, generateKeyPair, signModule, readManifest, verifyModule, TrustedKeys, ModuleError, MODULE_PATH_ENV, FORCE_ISOLATION_ENV } = runtime;

const builtInVimcIpa = path.join(root, 'dist/platforms/vimc/ipa/index.js');
let work: string;
let fdsAtStart: number;
const ours = generateKeyPair();
const strangers = generateKeyPair();

/** A module directory that serves the vimc pipeline with the built-in vimc IPA. */
function makeModule(name: string, manifest: Partial<runtime.ModuleManifest> = {}, dir = path.join(work, name)): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(builtInVimcIpa)});\n`);
  fs.writeFileSync(path.join(dir, 'README.md'), 'not code: left out of the signature\n');
  const full = { name, pipeline: 'vimc', version: 0, apiVersion: 1, entry: 'index.js', files: ['index.js'], ...manifest };
  fs.writeFileSync(path.join(dir, 'ipa-module.json'), JSON.stringify(full));
  return dir;
}

function manager(modulePath: string[], options: Partial<runtime.IPAManagerOptions> = {}) {
  const log: string[] = [];
  const m = new IPAManager({ env: { [MODULE_PATH_ENV]: modulePath.join(':') }, builtInPaths: [], log: (line) => log.push(line), ...options });
  return { m, log };
}

const proxies: runtime.IPAProxy<IPAVimcInterface>[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
beforeAll(() => {
  fdsAtStart = openFds();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-modules-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function open(m: runtime.IPAManager, isolation: runtime.Isolation) {
  const proxy = await m.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
  proxies.push(proxy);
  return proxy;
}

describe('the IPA manager: signatures decide where a module runs', () => {
  it('an unsigned module runs in a process whatever the pipeline handler asks, and the log says so once', async () => {
    const dir = makeModule('unsigned');
    const { m, log } = manager([dir]);
    expect(m.modules[0]!.signature).toEqual({ state: 'unsigned' });
    expect((await open(m, 'thread')).isolation).toBe('process');
    expect((await open(m, 'direct')).isolation).toBe('process');
    expect(log).toEqual([`the IPA module unsigned (${dir}) runs isolated in a process: it is not signed`]);
  });

  it('a module signed by a trusted key runs where the pipeline handler asks, and it works there', async () => {
    const dir = makeModule('signed');
    signModule(dir, readManifest(dir), ours.privateKey);
    const { m, log } = manager([dir], { trustedKeys: [ours.publicKey] });
    expect(m.modules[0]!.signature).toEqual({ state: 'trusted', keyId: ours.keyId });
    for (const isolation of ['direct', 'thread', 'process'] as const) {
      const proxy = await open(m, isolation);
      expect(proxy.isolation).toBe(isolation);
      expect(await proxy.start()).toBe(0);
    }
    expect(log).toEqual([]);
  });

  it('a file changed after signing: process, with a warning that says why', async () => {
    const dir = makeModule('tampered');
    signModule(dir, readManifest(dir), ours.privateKey);
    fs.appendFileSync(path.join(dir, 'index.js'), '// one more line\n');
    const { m, log } = manager([dir], { trustedKeys: [ours.publicKey] });
    expect(m.modules[0]!.signature).toMatchObject({ state: 'invalid', keyId: ours.keyId });
    expect((await open(m, 'thread')).isolation).toBe('process');
    expect(log).toEqual([`the IPA module tampered (${dir}) runs isolated in a process: its signature does not verify: the signature does not match the files: one was changed after signing`]);
  });

  it('a changed manifest, or a loadable file the manifest does not name, breaks the signature too', () => {
    const trusted = new TrustedKeys([ours.publicKey]);
    const manifestChanged = makeModule('manifest-changed');
    signModule(manifestChanged, readManifest(manifestChanged), ours.privateKey);
    const manifest = JSON.parse(fs.readFileSync(path.join(manifestChanged, 'ipa-module.json'), 'utf8'));
    fs.writeFileSync(path.join(manifestChanged, 'ipa-module.json'), JSON.stringify({ ...manifest, version: 7 }));
    expect(verifyModule(manifestChanged, readManifest(manifestChanged), trusted).state).toBe('invalid');

    // require('./helper') would load helper.js, which nobody signed.
    const extra = makeModule('extra-file');
    signModule(extra, readManifest(extra), ours.privateKey);
    fs.writeFileSync(path.join(extra, 'helper.js'), 'process.exit(1);\n');
    expect(verifyModule(extra, readManifest(extra), trusted)).toEqual({
      state: 'invalid', keyId: ours.keyId, reason: 'helper.js could be loaded but is not covered by the signature',
    });
  });

  it('a module signed by a key nobody trusts: process, and the warning names the key', async () => {
    const dir = makeModule('stranger');
    signModule(dir, readManifest(dir), strangers.privateKey);
    const { m, log } = manager([dir], { trustedKeys: [ours.publicKey] });
    expect(m.modules[0]!.signature).toEqual({ state: 'untrusted', keyId: strangers.keyId });
    expect((await open(m, 'direct')).isolation).toBe('process');
    expect(log[0]).toContain(`it is signed by key ${strangers.keyId}, which is not trusted`);
  });

  it('TS_IPA_FORCE_ISOLATION puts even a trusted module in a process', async () => {
    const dir = makeModule('forced');
    signModule(dir, readManifest(dir), ours.privateKey);
    const log: string[] = [];
    const m = new IPAManager({
      env: { [MODULE_PATH_ENV]: dir, [FORCE_ISOLATION_ENV]: '1' }, builtInPaths: [], trustedKeys: [ours.publicKey], log: (line) => log.push(line),
    });
    expect(m.forcedIsolation).toBe(true);
    expect((await open(m, 'thread')).isolation).toBe('process');
    expect(log).toEqual([`the IPA module forced (${dir}) runs isolated in a process: ${FORCE_ISOLATION_ENV} is set`]);
  });

  it("the built-in vimc module is signed by the build's key, which the manager trusts by default", () => {
    const m = new IPAManager({ env: {}, log: () => {} });
    const vimc = m.select('vimc')!;
    expect(vimc.origin).toBe('built-in');
    expect(vimc.signature!.state).toBe('trusted');
    expect(m.decideIsolation(vimc, 'thread')).toEqual({ isolation: 'thread' });
    const untrusting = new IPAManager({ env: {}, trustProjectKey: false, log: () => {} });
    expect(untrusting.select('vimc')!.signature!.state).toBe('untrusted');
  });
});

describe('the IPA manager: finding modules', () => {
  it('searches every TS_IPA_MODULE_PATH directory, two levels down, before the built-in ones', () => {
    const tree = path.join(work, 'tree');
    makeModule('a', {}, path.join(tree, 'a'));
    makeModule('b', {}, path.join(tree, 'vendor', 'b'));
    makeModule('too-deep', {}, path.join(tree, 'x', 'y', 'too-deep'));
    const other = makeModule('c', {}, path.join(work, 'other', 'c'));
    const log: string[] = [];
    const m = new IPAManager({ env: { [MODULE_PATH_ENV]: `${tree}::${path.join(work, 'other')}:${path.join(work, 'missing')}` }, log: (line) => log.push(line) });
    expect(m.modules.map((x) => x.manifest?.name)).toEqual(['a', 'b', 'c', 'rkisp1', 'vimc']);
    expect(m.modules.map((x) => x.origin)).toEqual(['environment', 'environment', 'environment', 'built-in', 'built-in']);
    expect(m.modules[2]!.directory).toBe(other);
    expect(log).toEqual([`${MODULE_PATH_ENV} names ${path.join(work, 'missing')}, which does not exist`]);
  });

  it('picks the highest version in the range; at equal versions the first found', () => {
    const dir = path.join(work, 'versions');
    makeModule('v1', { version: 1 }, path.join(dir, 'v1'));
    makeModule('v3', { version: 3 }, path.join(dir, 'v3'));
    makeModule('v3-again', { version: 3 }, path.join(dir, 'v3-again'));
    makeModule('other-pipeline', { version: 9, pipeline: 'rkisp1' }, path.join(dir, 'zz'));
    const { m } = manager([dir]);
    expect(m.select('vimc')!.manifest!.name).toBe('v3');
    expect(m.select('vimc', 0, 2)!.manifest!.name).toBe('v1');
    expect(m.select('rkisp1')!.manifest!.name).toBe('other-pipeline');
    expect(m.select('vimc', 4, 8)).toBeUndefined();
  });

  it('no module in range: createIPA fails with a ModuleError saying where it looked', async () => {
    const { m } = manager([path.join(work, 'nothing-here')], { log: () => {} });
    const error = await m.createIPA(IPAVimcInterface, { pipeline: 'vimc', minVersion: 2, maxVersion: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as Error).message).toBe(`vimc: no IPA module for pipeline "vimc" with a version in [2, 5] (searched ${path.join(work, 'nothing-here')})`);
  });

  it('skips broken modules with a warning naming the file and the reason, and goes on', async () => {
    const dir = path.join(work, 'broken');
    const cases: [string, (d: string) => void, string][] = [
      ['bad-json', (d) => fs.writeFileSync(path.join(d, 'ipa-module.json'), '{ "name": '), 'not valid JSON: it ends before its last value does'],
      ['no-pipeline', (d) => rewrite(d, { pipeline: undefined }), '"pipeline" must be a non-empty string'],
      ['api-2', (d) => rewrite(d, { apiVersion: 2 }), 'built for IPA API version 2; this ts-ipa speaks version 1'],
      ['no-entry', (d) => fs.rmSync(path.join(d, 'index.js')), '"files" names index.js, which does not exist'],
      ['entry-unlisted', (d) => rewrite(d, { entry: 'README.md' }), 'the entry README.md is not among "files"'],
      ['escapes', (d) => rewrite(d, { files: ['index.js', '../secret.js'] }), '"files" names "../secret.js", which is not a relative path inside the module'],
      ['negative', (d) => rewrite(d, { version: -1 }), '"version" must be an integer ≥ 0'],
    ];
    for (const [name, breakIt] of cases) breakIt(makeModule(name, {}, path.join(dir, name)));
    makeModule('fine', {}, path.join(dir, 'zz-fine'));
    const { m, log } = manager([dir]);
    expect(log).toEqual(cases.map(([name, , reason]) => {
      const d = path.join(dir, name);
      return `skipping the IPA module in ${d}: ${path.join(d, 'ipa-module.json')}: ${reason}`;
    }).sort());
    expect(m.modules.filter((x) => x.error)).toHaveLength(cases.length);
    expect(m.select('vimc')!.manifest!.name).toBe('fine');
    expect(await (await open(m, 'thread')).start()).toBe(0);
  });
});

function rewrite(dir: string, change: Record<string, unknown>): void {
  const file = path.join(dir, 'ipa-module.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...change }));
}

describe('ts-ipa keygen, sign, verify, modules', () => {
  const tsIpa = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, ...env } });

  it('makes a key, signs a module with it, and verifies it only for whoever trusts that key', () => {
    const keygen = tsIpa({}, 'keygen', '--out', 'keys');
    expect(keygen.status).toBe(0);
    expect(fs.statSync(path.join(work, 'keys/ipa-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(tsIpa({}, 'keygen', '--out', 'keys').stderr).toMatch(/^ts-ipa keygen: .*ipa-signing-key\.pem exists: pass --force/);
    // A recursive mkdir under /proc loops for ever: the directory is checked by writing first.
    const inProc = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'keygen', '--out', '/proc/no-such-dir'], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    expect([inProc.status, inProc.stderr]).toEqual([2, expect.stringMatching(/^ts-ipa keygen: --out \/proc\/no-such-dir: cannot write in \/proc \(\w+\)\n$/)]);

    const dir = makeModule('cli-signed');
    const signed = tsIpa({}, 'sign', dir, '--key', 'keys/ipa-signing-key.pem');
    expect(signed.status).toBe(0);
    const id = /key ([0-9a-f]{16})/.exec(keygen.stdout)![1]!;
    expect(signed.stdout).toBe(`signed cli-signed 0 (1 files) with key ${id}: ${path.join(dir, 'ipa-module.sig')}\n`);

    const trusted = tsIpa({}, 'verify', dir, '--trust', 'keys/ipa-signing-key.pub.pem');
    expect([trusted.status, trusted.stdout]).toEqual([0, `cli-signed 0: valid, trusted key ${id}\n`]);
    const untrusted = tsIpa({}, 'verify', dir);
    expect([untrusted.status, untrusted.stdout]).toEqual([6, `cli-signed 0: signed by untrusted key ${id}\n`]);
    fs.appendFileSync(path.join(dir, 'index.js'), '\n');
    const tampered = tsIpa({}, 'verify', dir, '--trust', 'keys/ipa-signing-key.pub.pem');
    expect(tampered.status).toBe(6);
    expect(tampered.stdout).toContain('INVALID: the signature does not match the files');

    const modules = tsIpa({ [MODULE_PATH_ENV]: dir }, 'modules', '--trust', 'keys/ipa-signing-key.pub.pem');
    expect(modules.status).toBe(0);
    const lines = modules.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^module\s+pipeline\s+version\s+signature\s+runs in\s+directory$/);
    expect(lines[1]).toMatch(/^cli-signed\s+vimc\s+0\s+INVALID: the signature does not match the files: one was changed after signing\s+process\s+.*\(environment\)$/);
    expect(lines[2]).toMatch(/^rkisp1\s+rkisp1\s+1\s+valid, trusted key [0-9a-f]{16}\s+direct or thread\s+.*dist\/platforms\/rkisp1\/ipa \(built-in\)$/);
    expect(lines[3]).toMatch(/^vimc\s+vimc\s+0\s+valid, trusted key [0-9a-f]{16}\s+direct or thread\s+.*dist\/platforms\/vimc\/ipa \(built-in\)$/);
  });

  it('modules: broken modules are listed as skipped, with the warning on stderr', () => {
    const dir = makeModule('cli-broken');
    rewrite(dir, { apiVersion: 9 });
    const result = tsIpa({ [MODULE_PATH_ENV]: dir, [FORCE_ISOLATION_ENV]: '1' }, 'modules');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/skipped: built for IPA API version 9; this ts-ipa speaks version 1/);
    expect(result.stdout).toMatch(/^vimc\s+vimc\s+0\s+valid, trusted key [0-9a-f]{16}\s+process\s/m);
    expect(result.stdout).toContain('TS_IPA_FORCE_ISOLATION is set: every module runs in a process');
    expect(result.stderr).toBe(`ts-ipa modules: skipping the IPA module in ${dir}: ${path.join(dir, 'ipa-module.json')}: built for IPA API version 9; this ts-ipa speaks version 1\n`);
  });

  it('modules --json: the same, for scripts', () => {
    const dir = makeModule('cli-json');
    const result = tsIpa({ [MODULE_PATH_ENV]: dir }, 'modules', '--json');
    expect(result.status).toBe(0);
    const listed = JSON.parse(result.stdout);
    expect(listed.forcedIsolation).toBe(false);
    expect(listed.modules.map((m: { manifest: { name: string }; signature: { state: string }; runsIn: string; origin: string }) => [m.manifest.name, m.signature.state, m.runsIn, m.origin])).toEqual([
      ['cli-json', 'unsigned', 'process', 'environment'],
      ['rkisp1', 'trusted', 'direct or thread', 'built-in'],
      ['vimc', 'trusted', 'direct or thread', 'built-in'],
    ]);
  });

  it('a key that is not an Ed25519 key of the right kind is named with its file', () => {
    fs.writeFileSync(path.join(work, 'garbage.pem'), 'not a key\n');
    fs.writeFileSync(path.join(work, 'public.pem'), ours.publicKey);
    fs.writeFileSync(path.join(work, 'rsa.pem'), crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const dir = makeModule('cli-badkey');
    const cases: [string[], string][] = [
      [['sign', dir, '--key', 'garbage.pem'], `ts-ipa sign: garbage.pem: not an Ed25519 private key in PEM (PKCS#8, as ts-ipa keygen writes)\n`],
      [['sign', dir, '--key', 'public.pem'], `ts-ipa sign: public.pem: not an Ed25519 private key in PEM (PKCS#8, as ts-ipa keygen writes)\n`],
      [['verify', dir, '--trust', 'garbage.pem'], `ts-ipa verify: garbage.pem: not an Ed25519 public key in PEM (SPKI, as ts-ipa keygen writes)\n`],
      [['verify', dir, '--trust', 'rsa.pem'], `ts-ipa verify: rsa.pem: an Ed25519 public key is needed, not rsa\n`],
      [['modules', '--trust', 'rsa.pem'], `ts-ipa modules: rsa.pem: an Ed25519 public key is needed, not rsa\n`],
    ];
    for (const [args, stderr] of cases) {
      const result = tsIpa({}, ...args);
      expect([result.status, result.stderr]).toEqual([1, stderr]);
    }
    expect(fs.existsSync(path.join(dir, 'ipa-module.sig'))).toBe(false);
    expect(() => new IPAManager({ trustedKeys: ['not a key'], env: {}, log: () => {} })).toThrow(new runtime.KeyError('not an Ed25519 public key in PEM (SPKI, as ts-ipa keygen writes)'));
  });

  it('sign and verify name the problem in one line', () => {
    const missingKey = tsIpa({}, 'sign', makeModule('cli-nokey'));
    expect([missingKey.status, missingKey.stderr]).toEqual([2, 'ts-ipa sign: --key <private key PEM> is needed (make one with ts-ipa keygen)\n']);
    const noManifest = tsIpa({}, 'verify', work);
    expect(noManifest.status).toBe(1);
    expect(noManifest.stderr).toBe(`ts-ipa verify: ${path.join(work, 'ipa-module.json')}: cannot read the manifest (ENOENT)\n`);
  });
});

describe('afterwards', () => {
  it('no worker process and no fd is left behind', async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    expect(liveChildren()).toEqual([]);
    expect(openFds()).toBe(fdsAtStart);
  });
});
