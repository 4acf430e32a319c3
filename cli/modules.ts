/** `ts-ipa keygen`, `sign`, `verify` and `modules`: IPA module keys, signatures and discovery. */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KeyError, ModuleError } from '../runtime/errors';
import { IPAManager, type FoundModule } from '../runtime/modules/manager';
import { readManifest } from '../runtime/modules/manifest';
import { generateKeyPair, publicKey, signModule, TrustedKeys, verifyModule, type SignatureCheck } from '../runtime/modules/signature';
import { projectPublicKey } from '../runtime/modules/project-key';
import { UsageError } from './errors';
import { writableDirOrAncestor } from './out-dir';

/** ts-ipa's package directory: sandboxed IPAs may read all of it (as node_modules/ts-ipa). */
const PACKAGE_ROOT = path.join(__dirname, '../..');

/** Writes a new Ed25519 key pair into `dir`; refuses to replace one unless `force`. */
export function keygen(dir: string, force: boolean): string[] {
  const privateFile = path.join(dir, 'ipa-signing-key.pem');
  const publicFile = path.join(dir, 'ipa-signing-key.pub.pem');
  if (isInside(realAncestor(dir), fs.realpathSync(PACKAGE_ROOT))) {
    throw new UsageError(`${dir} is inside the ts-ipa package (${fs.realpathSync(PACKAGE_ROOT)}), which sandboxed IPAs may read: write the private key somewhere else`);
  }
  if (!force && fs.existsSync(privateFile)) throw new UsageError(`${privateFile} exists: pass --force to replace it (modules signed with it will no longer verify)`);
  writableDirOrAncestor('--out', dir);
  const pair = generateKeyPair();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(privateFile, pair.privateKey, { mode: 0o600 });
  fs.writeFileSync(publicFile, pair.publicKey);
  return [
    `key ${pair.keyId}`,
    `  private: ${privateFile} (keep it secret; sign with: ts-ipa sign <module> --key ${privateFile})`,
    `  public:  ${publicFile} (give it to the applications that should trust your modules)`,
  ];
}

/** The real path of `dir`, or of its nearest ancestor that exists (keygen makes the rest). */
function realAncestor(dir: string): string {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      return path.join(fs.realpathSync(at), ...missing.reverse());
    } catch {
      if (path.dirname(at) === at) return path.resolve(dir);
      missing.push(path.basename(at));
    }
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return !(relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative));
}

export function sign(moduleDir: string | undefined, keyFile: string | undefined): string[] {
  if (!moduleDir) throw new UsageError('name the module directory to sign');
  if (!keyFile) throw new UsageError('--key <private key PEM> is needed (make one with ts-ipa keygen)');
  const manifest = readManifest(moduleDir);
  const id = withKeyFile(keyFile, () => signModule(moduleDir, manifest, readKey(keyFile)));
  return [`signed ${manifest.name} ${manifest.version} (${manifest.files.length} files) with key ${id}: ${path.join(moduleDir, 'ipa-module.sig')}`];
}

/** The module's signature state; `trusted` false when it would be forced into a process. */
export function verify(moduleDir: string | undefined, trustFiles: readonly string[]): { lines: string[]; trusted: boolean } {
  if (!moduleDir) throw new UsageError('name the module directory to verify');
  const manifest = readManifest(moduleDir);
  const check = verifyModule(moduleDir, manifest, trustedKeys(trustFiles));
  return { lines: [`${manifest.name} ${manifest.version}: ${describeSignature(check)}`], trusted: check.state === 'trusted' };
}

export function listModules(trustFiles: readonly string[], warnings: string[], json = false): string {
  const manager = new IPAManager({ trustedKeys: givenKeys(trustFiles), log: (line) => warnings.push(line) });
  if (json) {
    const entries = manager.modules.map((m) => ({
      directory: m.directory, origin: m.origin, manifest: m.manifest ?? null, signature: m.signature ?? null,
      skipped: m.error?.reason ?? null, runsIn: m.manifest ? runsIn(manager, m) : null,
    }));
    return JSON.stringify({ forcedIsolation: manager.forcedIsolation, modules: entries }, null, 2);
  }
  if (manager.modules.length === 0) return 'no IPA modules found';
  const rows = manager.modules.map((m) => row(manager, m));
  const header = ['module', 'pipeline', 'version', 'signature', 'runs in', 'directory'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const forced = manager.forcedIsolation ? '\n(TS_IPA_FORCE_ISOLATION is set: every module runs in a process)' : '';
  return [line(header), ...rows.map(line)].join('\n') + forced;
}

function row(manager: IPAManager, found: FoundModule): string[] {
  const m = found.manifest;
  if (!m) return ['?', '?', '?', '-', `skipped: ${found.error?.reason}`, found.directory];
  return [m.name, m.pipeline, String(m.version), describeSignature(found.signature!), runsIn(manager, found), `${found.directory} (${found.origin})`];
}

/** Where a module would run if its pipeline handler asked for the IPA in-process. */
function runsIn(manager: IPAManager, found: FoundModule): string {
  return manager.decideIsolation(found, 'thread').isolation === 'process' ? 'process' : 'direct or thread';
}

function describeSignature(check: SignatureCheck): string {
  switch (check.state) {
    case 'trusted': return `valid, trusted key ${check.keyId}`;
    case 'unsigned': return 'unsigned';
    case 'untrusted': return `signed by untrusted key ${check.keyId}`;
    case 'invalid': return `INVALID: ${check.reason}`;
  }
}

function trustedKeys(trustFiles: readonly string[]): TrustedKeys {
  const keys = new TrustedKeys(givenKeys(trustFiles));
  const project = projectPublicKey();
  if (project) keys.add(project);
  return keys;
}

/** The keys named by --trust, a bad one reported with its file. */
function givenKeys(trustFiles: readonly string[]): KeyObject[] {
  return trustFiles.map((file) => withKeyFile(file, () => publicKey(readKey(file))));
}

/** A KeyError, with the file it came from named. */
function withKeyFile<T>(file: string, use: () => T): T {
  try {
    return use();
  } catch (error) {
    if (error instanceof KeyError) throw new ModuleError(file, error.message);
    throw error;
  }
}

function readKey(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModuleError(file, `cannot read the key (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
