/**
 * Hostile modules against the IPAManager itself: stealing the key that makes code trusted,
 * hanging or crashing the scan with odd files, and getting changed code run in-process as
 * trusted. Scans that could hang or abort run in a child process with a deadline and a memory
 * cap, so that a regression fails the test instead of taking the suite down with it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { root, runtime } from '../support';
import { baseline, expectUnharmed, managerFor, paths, scratch, vimcModule, writeModule } from './harness';

const { IPAVimcInterface } = require(paths.vimcContract) as typeof import('../../dist/platforms/vimc/contract.js');
type VimcProxy = runtime.IPAProxy<InstanceType<typeof IPAVimcInterface>>;

const work = scratch('modules');
// Thousands of entries to remove: more than a hook's default 10 s on a slow, loaded disk.
afterAll(() => work.cleanup(), 60_000);
const proxies: VimcProxy[] = [];
async function closeAll(): Promise<void> {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
}
afterEach(closeAll);

const settings = { configurationFile: '', sensorModel: 'Sensor B' };
const key = runtime.generateKeyPair();
let serial = 0;
/** A fresh directory under the scratch one, for one test's modules. */
function place(name: string): string {
  const dir = path.join(work.dir, `${name}-${serial++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every regular file under `dir` (links not followed) whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesHolding(full, needle));
    else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full);
  }
  return found;
}

interface ChildScan {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  log: string[];
  modules: { directory: string; name?: string; signature?: runtime.SignatureCheck; skipped?: string }[];
}

/**
 * `node -e script args...` in a child process that gets 30 s and 1 GiB of data memory
 * (RLIMIT_DATA): a child that blocks is killed, one that reads without end aborts.
 */
function runInChild(script: string, args: string[]) {
  return spawnSync('/bin/sh', ['-c', 'ulimit -d 1048576 && exec "$0" "$@"', process.execPath, '-e', script, ...args], {
    encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024,
  });
}

/** The real IPAManager scanning `modulePath`, in a child process (runInChild). */
function scanInChild(modulePath: string, trustedKeys: string[] = []): ChildScan {
  const script = `
    const runtime = require(${JSON.stringify(path.join(root, 'dist/runtime/index.js'))});
    const log = [];
    const m = new runtime.IPAManager({
      env: { TS_IPA_MODULE_PATH: process.argv[1] }, builtInPaths: [], trustProjectKey: false,
      trustedKeys: JSON.parse(process.argv[2]), log: (line) => log.push(line),
    });
    const modules = m.modules.map((x) => ({ directory: x.directory, name: x.manifest && x.manifest.name, signature: x.signature, skipped: x.error && x.error.message }));
    process.stdout.write(JSON.stringify({ log, modules }));
  `;
  const result = runInChild(script, [modulePath, JSON.stringify(trustedKeys)]);
  const parsed = result.status === 0 ? JSON.parse(result.stdout) : { log: [], modules: [] };
  return { status: result.status, signal: result.signal, stderr: result.stderr, ...parsed };
}

/** A trusted manager's IPA for the vimc pipeline, closed after the test. */
async function openTrusted(moduleRoot: string, isolation: runtime.Isolation, log?: (m: string) => void): Promise<VimcProxy> {
  const proxy = await managerFor(moduleRoot, { trustedKeys: [key.publicKey], log }).createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
  proxies.push(proxy);
  return proxy;
}

function sign(directory: string): void {
  runtime.signModule(directory, runtime.readManifest(directory), key.privateKey);
}

function rewriteManifest(directory: string, change: Record<string, unknown>): void {
  const file = path.join(directory, 'ipa-module.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...change }));
}

/** JavaScript that leaves `marker` behind when it runs: the proof that it ran. */
function leaveMarker(marker: string): string {
  return `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'tampered code ran');\n`;
}

describe('1. the signing key', () => {
  it('the build leaves no private key anywhere under dist/ (no dist/keys, no PEM private key in any file)', () => {
    expect(fs.existsSync(path.join(root, 'dist/keys'))).toBe(false);
    expect(filesHolding(path.join(root, 'dist'), 'PRIVATE KEY')).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'dist/runtime/modules/project-key.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it("signing the built-in modules over an old tree removes its dist/keys and writes only the key's public half", () => {
    const tree = place('old-tree');
    fs.mkdirSync(path.join(tree, 'platforms/vimc/ipa'), { recursive: true });
    fs.copyFileSync(path.join(root, 'platforms/vimc/ipa/ipa-module.json'), path.join(tree, 'platforms/vimc/ipa/ipa-module.json'));
    fs.mkdirSync(path.join(tree, 'dist/platforms/vimc/ipa'), { recursive: true });
    for (const file of ['index.js', 'vimc-ipa.js']) fs.copyFileSync(path.join(root, 'dist/platforms/vimc/ipa', file), path.join(tree, 'dist/platforms/vimc/ipa', file));
    fs.mkdirSync(path.join(tree, 'dist/runtime/modules'), { recursive: true });
    const old = runtime.generateKeyPair();
    fs.mkdirSync(path.join(tree, 'dist/keys'));
    fs.writeFileSync(path.join(tree, 'dist/keys/ipa-signing-key.pem'), old.privateKey);
    fs.writeFileSync(path.join(tree, 'dist/keys/ipa-signing-key.pub.pem'), old.publicKey);

    const { signBuiltInModules } = require(path.join(root, 'scripts/build.js')) as { signBuiltInModules(root: string, options?: { quiet?: boolean }): string[] };
    expect(signBuiltInModules(tree, { quiet: true })).toEqual(['vimc']);

    expect(fs.existsSync(path.join(tree, 'dist/keys'))).toBe(false);
    expect(filesHolding(tree, 'PRIVATE KEY')).toEqual([]);
    const publicKey = fs.readFileSync(path.join(tree, 'dist/runtime/modules/project-key.pem'), 'utf8');
    expect(runtime.keyId(publicKey)).not.toBe(old.keyId);
    const built = path.join(tree, 'dist/platforms/vimc/ipa');
    expect(runtime.verifyModule(built, runtime.readManifest(built), new runtime.TrustedKeys([publicKey]))).toEqual({ state: 'trusted', keyId: runtime.keyId(publicKey) });
  });

  it('ts-ipa keygen refuses to write a private key inside the ts-ipa package, through a link to it too', () => {
    const project = place('keygen');
    fs.symlinkSync(root, path.join(project, 'linked-ts-ipa'), 'dir');
    for (const out of [path.join(root, 'ipa-keys-hostile-test'), path.join(project, 'linked-ts-ipa/dist/new/keys')]) {
      try {
        const result = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'keygen', '--out', out], { encoding: 'utf8' });
        expect([result.status, result.stdout]).toEqual([2, '']);
        expect(result.stderr).toBe(`ts-ipa keygen: ${out} is inside the ts-ipa package (${root}), which sandboxed IPAs may read: write the private key somewhere else\n`);
        expect(fs.existsSync(out)).toBe(false);
      } finally {
        fs.rmSync(path.join(root, 'ipa-keys-hostile-test'), { recursive: true, force: true });
        fs.rmSync(path.join(root, 'dist/new'), { recursive: true, force: true });
      }
    }
  });

  it('a sandboxed IPA of an installed ts-ipa reads the whole package and finds no private key in it', async () => {
    // ts-ipa installed in a project; the module lives in it and finds ts-ipa through node_modules,
    // so the sandbox lets it read all of node_modules/ts-ipa.
    const project = place('project');
    fs.mkdirSync(path.join(project, 'node_modules'));
    const pkg = path.join(project, 'node_modules/ts-ipa');
    fs.symlinkSync(root, pkg, 'dir');
    const prelude = `
      const fs = require('node:fs');
      const path = require('node:path');
      const found = [];
      let seen = 0;
      const walk = (dir, depth) => {
        let entries = [];
        try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
        for (const e of entries) {
          const full = path.join(dir, e.name);
          if (e.isDirectory() && depth < 12) walk(full, depth + 1);
          else if (e.isFile()) {
            try { if (fs.readFileSync(full, 'latin1').includes('PRIVATE KEY')) found.push(full); seen++; } catch {}
          }
        }
      };
      walk(${JSON.stringify(path.join(pkg, 'dist'))}, 0);
      walk(${JSON.stringify(path.join(pkg, 'dist/runtime'))}, 0);
      let direct = 0;
      try { fs.readFileSync(${JSON.stringify(path.join(pkg, 'dist/keys/ipa-signing-key.pem'))}); } catch (e) { direct = e.code === 'ENOENT' ? 1 : e.code === 'EACCES' ? 3 : 2; }
    `;
    writeModule(path.join(project, 'ipa'), 'thief', { entry: vimcModule({ prelude, methods: 'init: () => ({ ret: found.length * 1000000 + seen, outFlags: direct }),' }) });
    const before = baseline();
    const ipa = await managerFor(path.join(project, 'ipa')).createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation: 'thread' });
    expect(ipa.isolation).toBe('process');
    const { ret, outFlags } = await ipa.init(settings, runtime.SharedFD.invalid, 0, 0);
    await ipa.close();
    // It could read the package (the runtime's files at least; where the kernel has Landlock, no
    // more of the link's tree than that), found no private key in it, and
    // dist/keys/ipa-signing-key.pem does not exist (ENOENT, or EACCES where Landlock refuses first).
    expect(Math.floor(ret / 1_000_000), 'files holding a private key that the IPA read').toBe(0);
    expect(ret % 1_000_000).toBeGreaterThan(50);
    expect([1, 3], 'reading dist/keys/ipa-signing-key.pem: 1 is ENOENT, 3 EACCES').toContain(outFlags);
    expect(fs.existsSync(path.join(root, 'dist/keys'))).toBe(false);
    await expectUnharmed(before);
  });
});

describe('2. files that hang, exhaust or leak through the scan', { timeout: 60_000 }, () => {
  it('a FIFO for a manifest: the scan goes on at once, and the warning names the file', () => {
    const dir = place('fifo');
    const module = writeModule(dir, 'fifo', { entry: vimcModule() });
    fs.rmSync(path.join(module, 'ipa-module.json'));
    expect(spawnSync('mkfifo', [path.join(module, 'ipa-module.json')]).status).toBe(0);
    writeModule(dir, 'zz-fine', { entry: vimcModule() });
    const started = Date.now();
    const scan = scanInChild(dir);
    expect([scan.status, scan.signal, scan.stderr]).toEqual([0, null, '']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(scan.log).toEqual([`skipping the IPA module in ${module}: ${path.join(module, 'ipa-module.json')}: not a regular file (a FIFO)`]);
    expect(scan.modules.map((m) => m.name)).toEqual([undefined, 'zz-fine']);
  });

  it('a signature linked to /dev/zero, or a FIFO: the scan finishes, the signature is invalid and says why', () => {
    const dir = place('zero');
    const zero = writeModule(dir, 'zero', { entry: vimcModule(), prepare: (d) => fs.symlinkSync('/dev/zero', path.join(d, 'ipa-module.sig')) });
    const fifo = writeModule(dir, 'fifo-sig', { entry: vimcModule(), prepare: (d) => spawnSync('mkfifo', [path.join(d, 'ipa-module.sig')]) });
    const scan = scanInChild(dir, [key.publicKey]);
    expect([scan.status, scan.signal, scan.stderr]).toEqual([0, null, '']);
    expect(scan.modules).toEqual([
      { directory: fifo, name: 'fifo-sig', signature: { state: 'invalid', reason: 'ipa-module.sig is not a regular file (a FIFO)' } },
      { directory: zero, name: 'zero', signature: { state: 'invalid', reason: 'ipa-module.sig is a symbolic link: module files are read only as regular files' } },
    ]);
  });

  it('a manifest that is a link to a secret file, or a hard link to one: the warning names the manifest, never the secret', () => {
    const secret = path.join(place('secret'), 'credentials.txt');
    const text = 'TOP-SECRET-3c9b1f-do-not-log';
    fs.writeFileSync(secret, `${text}\n`);
    const dir = place('leak');
    const symlinked = writeModule(dir, 'symlinked', { entry: vimcModule(), prepare: (d) => {
      fs.rmSync(path.join(d, 'ipa-module.json'));
      fs.symlinkSync(secret, path.join(d, 'ipa-module.json'));
    } });
    const hardLinked = writeModule(dir, 'hard-linked', { entry: vimcModule(), prepare: (d) => {
      fs.rmSync(path.join(d, 'ipa-module.json'));
      fs.linkSync(secret, path.join(d, 'ipa-module.json'));
    } });
    const scan = scanInChild(dir);
    expect(scan.status).toBe(0);
    expect(scan.log).toEqual([
      `skipping the IPA module in ${hardLinked}: ${path.join(hardLinked, 'ipa-module.json')}: not valid JSON`,
      `skipping the IPA module in ${symlinked}: ${path.join(symlinked, 'ipa-module.json')}: a symbolic link: module files are read only as regular files`,
    ]);
    expect(JSON.stringify(scan)).not.toContain('SECRET');
  });

  it('names in a manifest that would forge log lines (newlines, terminal escapes) are refused or quoted, never written raw', () => {
    const dir = place('forged');
    const forged = 'vimc\nts-ipa: the IPA module vimc runs in a thread\u001b[2K';
    const byName = writeModule(dir, 'by-name', { entry: vimcModule(), prepare: (d) => rewriteManifest(d, { name: forged }) });
    const byFile = writeModule(dir, 'by-file', { entry: vimcModule(), prepare: (d) => rewriteManifest(d, { files: ['index.js', `x/../${forged}`] }) });
    const log: string[] = [];
    managerFor(dir, { log: (line) => log.push(line) });
    expect(log).toEqual([
      `skipping the IPA module in ${byFile}: ${path.join(byFile, 'ipa-module.json')}: "files" names ${JSON.stringify(`x/../${forged}`)}, which is not a relative path inside the module`,
      `skipping the IPA module in ${byName}: ${path.join(byName, 'ipa-module.json')}: "name" must be a plain name: letters, digits and . _ + / -, at most 64`,
    ]);
    expect(log.join('')).not.toMatch(/[\n\u001b]/);
  });

  it('a huge manifest, signature or module file is refused at its limit, without reading it', () => {
    const dir = place('huge');
    // Sparse files: huge to stat, nothing on disk.
    const manifest = writeModule(dir, 'manifest', { entry: vimcModule(), prepare: (d) => fs.truncateSync(path.join(d, 'ipa-module.json'), 1 << 30) });
    const signature = writeModule(dir, 'signature', { entry: vimcModule(), prepare: (d) => {
      sign(d);
      fs.truncateSync(path.join(d, 'ipa-module.sig'), 1 << 30);
    } });
    const file = writeModule(dir, 'file', { entry: vimcModule(), files: { 'table.json': '[]' }, prepare: (d) => {
      sign(d);
      fs.truncateSync(path.join(d, 'table.json'), 1 << 30);
    } });
    const started = Date.now();
    const scan = scanInChild(dir, [key.publicKey]);
    expect([scan.status, scan.signal, scan.stderr]).toEqual([0, null, '']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(scan.log).toEqual([`skipping the IPA module in ${manifest}: ${path.join(manifest, 'ipa-module.json')}: larger than the manifest's limit of 64 KiB`]);
    expect(scan.modules).toEqual([
      { directory: file, name: 'file', signature: { state: 'invalid', keyId: key.keyId, reason: "table.json is larger than a module file's limit of 16 MiB" } },
      { directory: manifest, skipped: `${path.join(manifest, 'ipa-module.json')}: larger than the manifest's limit of 64 KiB` },
      { directory: signature, name: 'signature', signature: { state: 'invalid', reason: "ipa-module.sig is larger than the signature's limit of 4 KiB" } },
    ]);
  });

  it('symbolic links in a search directory (loops, to elsewhere) are not followed, and are named', () => {
    const dir = place('loops');
    const elsewhere = writeModule(place('elsewhere'), 'elsewhere', { entry: vimcModule() });
    const fine = writeModule(dir, 'fine', { entry: vimcModule() });
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    fs.symlinkSync('..', path.join(dir, 'up'));
    fs.symlinkSync('self', path.join(dir, 'self'));
    fs.symlinkSync(elsewhere, path.join(dir, 'linked'));
    fs.mkdirSync(path.join(dir, 'vendor'));
    fs.symlinkSync(dir, path.join(dir, 'vendor/back'));
    const scan = scanInChild(dir);
    expect([scan.status, scan.signal, scan.stderr]).toEqual([0, null, '']);
    expect(scan.modules.map((m) => m.directory)).toEqual([fine]);
    expect(scan.log.sort()).toEqual(['linked', 'loop', 'self', 'up', 'vendor/back'].map((name) => `${path.join(dir, name)} is a symbolic link: not followed`));
  });

  it('a search directory too wide to walk is refused whole, with a warning, not walked without end', () => {
    const dir = place('wide');
    const wide = path.join(dir, 'wide');
    fs.mkdirSync(wide);
    // Files count as entries as directories do, and cost less to make and remove.
    for (let i = 0; i <= 4096; i++) fs.writeFileSync(path.join(wide, `f${i}`), '');
    const fine = writeModule(dir, 'zz-fine', { entry: vimcModule() });
    const scan = scanInChild(dir);
    expect(scan.status).toBe(0);
    expect(scan.modules.map((m) => m.directory)).toEqual([fine]);
    expect(scan.log).toEqual([`${wide} holds more than 4096 entries: not searched`]);
  });

  it('a signed module with links inside it, or too many files to check, has an invalid signature', () => {
    const dir = place('inside');
    const linked = writeModule(dir, 'linked', { entry: vimcModule(), prepare: (d) => {
      sign(d);
      fs.symlinkSync('/etc', path.join(d, 'etc.txt'));
    } });
    const looped = writeModule(dir, 'looped', { entry: vimcModule(), prepare: (d) => {
      sign(d);
      fs.mkdirSync(path.join(d, 'docs'));
      fs.symlinkSync('..', path.join(d, 'docs/up.md'));
    } });
    const crowded = writeModule(dir, 'crowded', { entry: vimcModule(), prepare: (d) => {
      sign(d);
      fs.mkdirSync(path.join(d, 'docs'));
      for (let i = 0; i <= 4096; i++) fs.writeFileSync(path.join(d, `docs/${i}.md`), '');
    } });
    const scan = scanInChild(dir, [key.publicKey]);
    expect(scan.status).toBe(0);
    expect(scan.modules).toEqual([
      { directory: crowded, name: 'crowded', signature: { state: 'invalid', keyId: key.keyId, reason: 'the module directory holds more than 4096 entries: too many to check' } },
      { directory: linked, name: 'linked', signature: { state: 'invalid', keyId: key.keyId, reason: 'etc.txt is a symbolic link: a signed module holds none' } },
      { directory: looped, name: 'looped', signature: { state: 'invalid', keyId: key.keyId, reason: 'docs/up.md is a symbolic link: a signed module holds none' } },
    ]);
  });
});

describe('3. changed code run in-process as trusted', () => {
  for (const isolation of ['direct', 'thread'] as const) {
    describe(`isolation '${isolation}'`, () => {
      it('(a) a signed entry that requires a file outside its module is refused, naming that file; the file never runs', async () => {
        const before = baseline();
        const dir = place(`outside-${isolation}`);
        const marker = path.join(dir, 'marker');
        fs.writeFileSync(path.join(dir, 'evil.js'), leaveMarker(marker));
        const absolute = path.join(place(`absolute-${isolation}`), 'evil.js');
        fs.writeFileSync(absolute, leaveMarker(marker));
        fs.mkdirSync(path.join(dir, 'node_modules/evil-package'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'node_modules/evil-package/index.js'), leaveMarker(marker));
        const refused = "the module's signed code may require only its own signed files, Node's built-in modules, ts-ipa, and modules the pipeline handler has loaded";
        // A package name is looked for in the module's own signed files and where ts-ipa was
        // installed, never in a node_modules of the module's neighbours.
        const notFound = "cannot be found (required by index.js) among the module's signed files, ts-ipa and the packages installed beside ts-ipa";
        const requests: [string, string, string, string][] = [
          ['relative', "require('../../../evil.js');", path.join(dir, 'evil.js'), refused],
          ['absolute', `require(${JSON.stringify(absolute)});`, absolute, refused],
          ['package', "require('evil-package');", 'evil-package', notFound],
        ];
        for (const [name, request, file, reason] of requests) {
          const moduleRoot = path.join(dir, 'modules', name);
          sign(writeModule(moduleRoot, name, { entry: vimcModule({ prelude: request }) }));
          const error = await openTrusted(moduleRoot, isolation).then(() => undefined, (e: unknown) => e as Error);
          expect(error, name).toBeInstanceOf(isolation === 'direct' ? runtime.ModuleError : runtime.IPAError);
          expect(error!.message).toContain(`${file}: ${reason}`);
          if (isolation === 'direct') expect((error as runtime.ModuleError).file).toBe(file);
        }
        expect(fs.existsSync(marker), 'the unsigned code ran').toBe(false);
        await expectUnharmed(before);
      });

      it('(b) a signed file changed after the scan: what runs is the code that was verified', async () => {
        const before = baseline();
        const dir = place(`changed-${isolation}`);
        const marker = path.join(dir, 'marker');
        const module = writeModule(dir, 'changed', {
          entry: vimcModule({ prelude: "const helper = require('./lib/helper');", methods: 'init: (_s, _t, _c, flags) => ({ ret: helper.answer, outFlags: flags }),' }),
          files: { 'lib/helper.js': 'exports.answer = 42;\n' },
        });
        sign(module);
        const manager = managerFor(dir, { trustedKeys: [key.publicKey] });
        expect(manager.modules[0]!.signature!.state).toBe('trusted');
        // Changed after the scan, same size, so nothing but the bytes tells.
        fs.writeFileSync(path.join(module, 'lib/helper.js'), `${leaveMarker(marker)}exports.answer = 66;\n`);
        fs.appendFileSync(path.join(module, 'index.js'), leaveMarker(marker));
        const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
        proxies.push(ipa);
        expect(ipa.isolation).toBe(isolation);
        expect((await ipa.init(settings, runtime.SharedFD.invalid, 0, 2)).ret).toBe(42);
        expect(fs.existsSync(marker), 'the changed code ran').toBe(false);
        await closeAll();
        await expectUnharmed(before);
      });

      it('(c) the module directory, or a directory in it, swapped for a link after the scan: what runs is the code that was verified', async () => {
        const before = baseline();
        const dir = place(`swapped-${isolation}`);
        const marker = path.join(dir, 'marker');
        const good = writeModule(dir, 'good', {
          entry: vimcModule({ prelude: "const helper = require('./lib/helper');", methods: 'init: (_s, _t, _c, flags) => ({ ret: helper.answer, outFlags: flags }),' }),
          files: { 'lib/helper.js': 'exports.answer = 42;\n' },
        });
        sign(good);
        const evil = writeModule(dir, 'evil', {
          entry: `${leaveMarker(marker)}${vimcModule({ methods: 'init: () => ({ ret: 66, outFlags: 0 }),' })}`,
          files: { 'lib/helper.js': `${leaveMarker(marker)}exports.answer = 66;\n` },
        });
        const current = path.join(dir, 'current');
        fs.symlinkSync(good, current);
        const manager = managerFor(current, { trustedKeys: [key.publicKey] });
        expect(manager.modules[0]!.signature!.state).toBe('trusted');
        fs.rmSync(current);
        fs.symlinkSync(evil, current);
        const first = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
        proxies.push(first);
        expect((await first.init(settings, runtime.SharedFD.invalid, 0, 2)).ret).toBe(42);

        // The same with a directory inside the module: lib/ swapped for a link to the evil one.
        const inner = writeModule(place(`inner-${isolation}`), 'inner', {
          entry: vimcModule({ prelude: "const helper = require('./lib/helper');", methods: 'init: (_s, _t, _c, flags) => ({ ret: helper.answer, outFlags: flags }),' }),
          files: { 'lib/helper.js': 'exports.answer = 42;\n' },
        });
        sign(inner);
        const innerManager = managerFor(inner, { trustedKeys: [key.publicKey] });
        expect(innerManager.modules[0]!.signature!.state).toBe('trusted');
        fs.renameSync(path.join(inner, 'lib'), path.join(inner, 'lib.old'));
        fs.symlinkSync(path.join(evil, 'lib'), path.join(inner, 'lib'));
        const second = await innerManager.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
        proxies.push(second);
        expect((await second.init(settings, runtime.SharedFD.invalid, 0, 2)).ret).toBe(42);
        expect(fs.existsSync(marker), 'the swapped-in code ran').toBe(false);
        await closeAll();
        await expectUnharmed(before);
      });
    });
  }

  it('(d) a signed module that import()s a file outside it is refused: compiled from verified bytes, it has no loader for import()', async () => {
    for (const isolation of ['direct', 'thread'] as const) {
      const dir = place(`import-${isolation}`);
      const marker = path.join(dir, 'marker');
      fs.writeFileSync(path.join(dir, 'evil.mjs'), leaveMarker(marker).replace("require('node:fs')", "(await import('node:fs'))"));
      const prelude = `let imported = 'pending';
        import(${JSON.stringify(path.join(dir, 'evil.mjs'))}).then(() => { imported = 'loaded'; }, (error) => { imported = error.code; });`;
      sign(writeModule(dir, 'importer', { entry: vimcModule({ prelude, methods: "init: (_s, _t, _c, flags) => ({ ret: String(imported).startsWith('ERR_VM_DYNAMIC_IMPORT') ? 42 : -1, outFlags: flags })," }) }));
      const ipa = await openTrusted(dir, isolation);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await ipa.init(settings, runtime.SharedFD.invalid, 0, 0)).ret, isolation).toBe(42);
      expect(fs.existsSync(marker), 'the imported code ran').toBe(false);
    }
  });

  it("a signed module requiring ts-ipa by name gets ts-ipa, never a package its neighbours planted (code, or a FIFO that would block the handler)", () => {
    const dir = place('neighbours');
    const marker = path.join(dir, 'marker');
    const planted = path.join(dir, 'node_modules/ts-ipa');
    fs.mkdirSync(planted, { recursive: true });
    fs.writeFileSync(path.join(planted, 'index.js'), leaveMarker(marker));
    expect(spawnSync('mkfifo', [path.join(planted, 'package.json')]).status).toBe(0);
    const entry = vimcModule({ methods: 'init: (_s, _t, _c, flags) => ({ ret: typeof require("ts-ipa").defineIPA === "function" ? 42 : 0, outFlags: flags }),' });
    sign(writeModule(dir, 'by-name', { entry }));
    // In a child: a require that opened the FIFO would block its main thread for good.
    const script = `
      const runtime = require(${JSON.stringify(paths.runtime)});
      const { IPAVimcInterface } = require(${JSON.stringify(paths.vimcContract)});
      const m = new runtime.IPAManager({ env: { TS_IPA_MODULE_PATH: process.argv[1] }, builtInPaths: [], trustProjectKey: false, trustedKeys: [process.argv[2]], log: () => {} });
      m.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation: 'direct' })
        .then((ipa) => ipa.init({ configurationFile: '', sensorModel: 'x' }, runtime.SharedFD.invalid, 0, 0))
        .then((reply) => process.stdout.write(String(reply.ret)), (error) => process.stdout.write(error.message));
    `;
    const result = runInChild(script, [dir, key.publicKey]);
    expect([result.status, result.signal, result.stdout]).toEqual([0, null, '42']);
    expect(fs.existsSync(marker), 'the planted package ran').toBe(false);
  });

  it('a signed module requiring a signed native addon is refused in-process: an addon loads only from a path, not from verified bytes', async () => {
    const dir = place('native');
    sign(writeModule(dir, 'native', { entry: vimcModule({ prelude: "require('./addon.node');" }), files: { 'addon.node': 'not really an addon' } }));
    const error = await openTrusted(dir, 'direct').then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(runtime.ModuleError);
    expect(error!.message).toBe(`${path.join(dir, 'native', 'addon.node')}: a native addon cannot be loaded from verified bytes; run the module in process mode`);
  });

  it('the built-in vimc module loads from its verified bytes in direct and thread mode, and requires only what it may', async () => {
    const manager = new runtime.IPAManager({ env: {}, log: () => {} });
    expect(manager.select('vimc')!.signature!.state).toBe('trusted');
    for (const isolation of ['direct', 'thread'] as const) {
      const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation });
      proxies.push(ipa);
      expect(ipa.isolation).toBe(isolation);
      expect(await ipa.start()).toBe(0);
    }
  });

  it('a trusted module still runs where the handler asks it to, process mode included, and the handler is unharmed', async () => {
    const dir = place('process');
    sign(writeModule(dir, 'fine', { entry: vimcModule() }));
    const before = baseline();
    const ipa = await managerFor(dir, { trustedKeys: [key.publicKey] }).createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation: 'process' });
    expect(ipa.isolation).toBe('process');
    expect((await ipa.init(settings, runtime.SharedFD.invalid, 0, 2)).ret).toBe(0);
    await ipa.close();
    await expectUnharmed(before);
  });
});
