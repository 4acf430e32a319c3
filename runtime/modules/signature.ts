import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KeyError, ModuleError } from '../errors';
import { FileRefusal, fileType, formatBytes, LIMITS, readDirectory, readModuleFile, shown } from './files';
import { parseJSON } from './json';
import { MANIFEST_FILE, readManifestFile, SIGNATURE_FILE, type ModuleManifest } from './manifest';

const SIGNATURE_FORMAT = 'ts-ipa-module-signature-1';

/** A key as a KeyObject, or as PEM text. */
export type KeyInput = KeyObject | string;

/** What a module's signature says about it. */
export type SignatureCheck =
  | { state: 'trusted'; keyId: string }
  | { state: 'unsigned' }
  | { state: 'untrusted'; keyId: string }
  | { state: 'invalid'; reason: string; keyId?: string };

/** An Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateKeyPair(): { privateKey: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    keyId: keyId(publicKey),
  };
}

/** A short name for a public key: the first 16 hex digits of the SHA-256 of its SPKI bytes. */
export function keyId(key: KeyInput): string {
  const spki = publicKey(key).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(spki).digest('hex').slice(0, 16);
}

/** The Ed25519 public key of `key` (a private key gives its public half); a KeyError otherwise. */
export function publicKey(key: KeyInput): KeyObject {
  const object = typeof key === 'string' ? parseKey(key, 'public') : key.type === 'private' ? crypto.createPublicKey(key) : key;
  return checkEd25519(object, 'public');
}

/** A PEM key (a private key's PEM gives its public half when `type` is public). */
function parseKey(pem: string, type: 'public' | 'private'): KeyObject {
  try {
    return type === 'public' ? crypto.createPublicKey(pem) : crypto.createPrivateKey(pem);
  } catch {
    throw new KeyError(`not an Ed25519 ${type} key in PEM (${type === 'public' ? 'SPKI' : 'PKCS#8'}, as ts-ipa keygen writes)`);
  }
}

function checkEd25519(key: KeyObject, type: 'public' | 'private'): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`an Ed25519 ${type} key is needed, not ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/**
 * What is signed: the format, then the SHA-256 of the manifest and of every file it names, one
 * line each, files in sorted order. Computed from bytes read once (`readFiles`), which are then
 * the bytes a trusted module runs from: nothing is read again between checking and loading.
 */
function signedText(manifestBytes: Uint8Array, files: ReadonlyMap<string, Uint8Array>): Buffer {
  const digest = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');
  const lines = [SIGNATURE_FORMAT, `${MANIFEST_FILE} ${digest(manifestBytes)}`];
  for (const name of [...files.keys()].sort()) lines.push(`${name} ${digest(files.get(name)!)}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Every file the manifest names, read once each within the limits; a string says why not. */
function readFiles(realDirectory: string, manifest: ModuleManifest): Map<string, Uint8Array> | string {
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const name of manifest.files) {
    let bytes: Uint8Array;
    try {
      bytes = readModuleFile(realDirectory, name, 'file');
    } catch (error) {
      if (error instanceof FileRefusal) return `${shown(name)} is ${error.reason}`;
      throw error;
    }
    total += bytes.byteLength;
    if (total > LIMITS.module) return `the module's files are larger than its limit of ${formatBytes(LIMITS.module)} together`;
    files.set(name, bytes);
  }
  return files;
}

/**
 * The manifest's bytes as read now, checked to say what `manifest` says: a caller that parsed it
 * earlier must not get a signature over a manifest that changed since. A string says why not.
 */
function currentManifest(realDirectory: string, manifest: ModuleManifest): Uint8Array | string {
  let now: { manifest: ModuleManifest; bytes: Uint8Array };
  try {
    now = readManifestFile(realDirectory);
  } catch (error) {
    if (error instanceof ModuleError) return `${MANIFEST_FILE}: ${error.reason}`;
    throw error;
  }
  return JSON.stringify(now.manifest) === JSON.stringify(manifest) ? now.bytes : `${MANIFEST_FILE} changed after it was read`;
}

/** Signs a module: writes `ipa-module.sig` beside its manifest. Returns the signing key's id. */
export function signModule(directory: string, manifest: ModuleManifest, privateKey: KeyInput): string {
  const key = checkEd25519(typeof privateKey === 'string' ? parseKey(privateKey, 'private') : privateKey, 'private');
  if (key.type !== 'private') throw new KeyError('signing needs the private key, not the public one');
  const realDirectory = fs.realpathSync(directory);
  // Refuse to sign what could never verify, rather than find out at the scan.
  const manifestBytes = currentManifest(realDirectory, manifest);
  const problem = typeof manifestBytes === 'string' ? manifestBytes : uncoveredProblem(realDirectory, manifest);
  if (problem) throw new ModuleError(directory, problem);
  const files = readFiles(realDirectory, manifest);
  if (typeof files === 'string') throw new ModuleError(directory, files);
  const signature = crypto.sign(null, signedText(manifestBytes as Uint8Array, files), key);
  const id = keyId(key);
  const body = { format: SIGNATURE_FORMAT, keyId: id, signature: signature.toString('base64') };
  fs.writeFileSync(path.join(directory, SIGNATURE_FILE), `${JSON.stringify(body, null, 2)}\n`);
  return id;
}

/** Public keys by key id. */
export class TrustedKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(keys: Iterable<KeyInput> = []) {
    for (const key of keys) this.add(key);
  }

  add(key: KeyInput): string {
    const checked = publicKey(key);
    const id = keyId(checked);
    this.keys.set(id, checked);
    return id;
  }

  get(id: string): KeyObject | undefined {
    return this.keys.get(id);
  }
}

/**
 * A module whose signature verified against a trusted key, as it was verified: its real directory
 * (no links in it), its entry and the bytes of every file the signature covers. In-process modes
 * run these bytes and nothing else from the module (see loader.ts).
 */
export interface VerifiedModule {
  readonly directory: string;
  readonly entry: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Checks a module's signature against the trusted keys. Never throws for a bad signature. */
export function verifyModule(directory: string, manifest: ModuleManifest, trusted: TrustedKeys): SignatureCheck {
  return checkModule(directory, manifest, trusted).signature;
}

const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64 = /^[A-Za-z0-9+/]{86}==$/; // an Ed25519 signature: 64 bytes

/**
 * `verifyModule`, and when the signature is trusted the verified module. `manifestBytes` are the
 * bytes `manifest` was parsed from (the manager passes them; otherwise the manifest is read again
 * and must still say the same).
 */
export function checkModule(directory: string, manifest: ModuleManifest, trusted: TrustedKeys, manifestBytes?: Uint8Array): { signature: SignatureCheck; verified?: VerifiedModule } {
  let realDirectory: string;
  try {
    realDirectory = fs.realpathSync(directory);
  } catch (error) {
    return { signature: { state: 'invalid', reason: `the module directory cannot be read (${(error as NodeJS.ErrnoException).code})` } };
  }
  let raw: Uint8Array;
  try {
    raw = readModuleFile(realDirectory, SIGNATURE_FILE, 'signature');
  } catch (error) {
    if (!(error instanceof FileRefusal)) throw error;
    if (error.code === 'ENOENT') return { signature: { state: 'unsigned' } };
    return { signature: { state: 'invalid', reason: `${SIGNATURE_FILE} is ${error.reason}` } };
  }
  const parsed = parseJSON(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  if ('error' in parsed) return { signature: { state: 'invalid', reason: `${SIGNATURE_FILE} is ${parsed.error}` } };
  const body = (typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {}) as { format?: unknown; keyId?: unknown; signature?: unknown };
  if (body.format !== SIGNATURE_FORMAT || typeof body.keyId !== 'string' || !KEY_ID.test(body.keyId) || typeof body.signature !== 'string' || !BASE64.test(body.signature)) {
    return { signature: { state: 'invalid', reason: `${SIGNATURE_FILE} is not a ${SIGNATURE_FORMAT} signature` } };
  }
  const id = body.keyId;
  const key = trusted.get(id);
  if (!key) return { signature: { state: 'untrusted', keyId: id } };
  const invalid = (reason: string) => ({ signature: { state: 'invalid' as const, keyId: id, reason } });
  const manifestNow = manifestBytes ?? currentManifest(realDirectory, manifest);
  if (typeof manifestNow === 'string') return invalid(manifestNow);
  const uncovered = uncoveredProblem(realDirectory, manifest);
  if (uncovered) return invalid(uncovered);
  const files = readFiles(realDirectory, manifest);
  if (typeof files === 'string') return invalid(files);
  if (!crypto.verify(null, signedText(manifestNow, files), key, Buffer.from(body.signature, 'base64'))) {
    return invalid('the signature does not match the files: one was changed after signing');
  }
  return { signature: { state: 'trusted', keyId: id }, verified: { directory: realDirectory, entry: manifest.entry, files } };
}

/**
 * What in the module directory could stand in for signed code, if anything: a file Node could
 * load (a `require('./x')` tries x, x.js, x.json, x.node, ...) that the manifest does not name, a
 * symbolic link (it leads wherever it is pointed, now or later), a FIFO or device. Type
 * declarations, source maps and documents are never executed and may stay unnamed. The walk
 * follows no link and gives up past LIMITS.entries entries or LIMITS.depth levels.
 */
function uncoveredProblem(realDirectory: string, manifest: ModuleManifest): string | undefined {
  const named = new Set([...manifest.files, MANIFEST_FILE, SIGNATURE_FILE]);
  const loadable = (name: string) => !name.endsWith('.d.ts') && (/\.(c|m)?js$|\.json$|\.node$/.test(name) || !path.basename(name).includes('.'));
  let budget = LIMITS.entries;
  const walk = (relative: string, depth: number): string | undefined => {
    const entries = readDirectory(path.join(realDirectory, relative), budget);
    if (!entries) return `the module directory holds more than ${LIMITS.entries} entries: too many to check`;
    budget -= entries.length;
    for (const entry of entries) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const stat = entry.isFile() || entry.isDirectory() || entry.isSymbolicLink() ? entry : fs.lstatSync(path.join(realDirectory, name));
      if (stat.isSymbolicLink()) return `${shown(name)} is a symbolic link: a signed module holds none`;
      if (stat.isDirectory()) {
        if (depth >= LIMITS.depth) return `${shown(name)} is more than ${LIMITS.depth} directories deep: too deep to check`;
        const problem = walk(name, depth + 1);
        if (problem) return problem;
      } else if (!stat.isFile()) return `${shown(name)} is not a regular file (${fileType(stat)})`;
      else if (!named.has(name) && loadable(name)) return `${shown(name)} could be loaded but is not covered by the signature`;
    }
    return undefined;
  };
  try {
    return walk('', 0);
  } catch (error) {
    return `the module directory cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}
