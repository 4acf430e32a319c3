import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KeyError } from '../errors';
import { MANIFEST_FILE, SIGNATURE_FILE, type ModuleManifest } from './manifest';

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
 * line each, files in sorted order. Reading every byte here is what makes a changed file show.
 */
function signedText(directory: string, manifest: ModuleManifest): Buffer {
  const digest = (name: string) => crypto.createHash('sha256').update(fs.readFileSync(path.join(directory, name))).digest('hex');
  const lines = [SIGNATURE_FORMAT, `${MANIFEST_FILE} ${digest(MANIFEST_FILE)}`];
  for (const name of [...manifest.files].sort()) lines.push(`${name} ${digest(name)}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Signs a module: writes `ipa-module.sig` beside its manifest. Returns the signing key's id. */
export function signModule(directory: string, manifest: ModuleManifest, privateKey: KeyInput): string {
  const key = checkEd25519(typeof privateKey === 'string' ? parseKey(privateKey, 'private') : privateKey, 'private');
  if (key.type !== 'private') throw new KeyError('signing needs the private key, not the public one');
  const signature = crypto.sign(null, signedText(directory, manifest), key);
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

/** Checks a module's signature against the trusted keys. Never throws for a bad signature. */
export function verifyModule(directory: string, manifest: ModuleManifest, trusted: TrustedKeys): SignatureCheck {
  const file = path.join(directory, SIGNATURE_FILE);
  if (!fs.existsSync(file)) return { state: 'unsigned' };
  let body: { format?: unknown; keyId?: unknown; signature?: unknown };
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { state: 'invalid', reason: `${SIGNATURE_FILE} is not readable JSON (${(error as Error).message})` };
  }
  if (body.format !== SIGNATURE_FORMAT || typeof body.keyId !== 'string' || typeof body.signature !== 'string') {
    return { state: 'invalid', reason: `${SIGNATURE_FILE} is not a ${SIGNATURE_FORMAT} signature` };
  }
  const id = body.keyId;
  const key = trusted.get(id);
  if (!key) return { state: 'untrusted', keyId: id };
  const uncovered = uncoveredFiles(directory, manifest);
  if (uncovered.length > 0) return { state: 'invalid', keyId: id, reason: `${uncovered[0]} could be loaded but is not covered by the signature` };
  let text: Buffer;
  try {
    text = signedText(directory, manifest);
  } catch (error) {
    return { state: 'invalid', keyId: id, reason: (error as Error).message };
  }
  if (!crypto.verify(null, text, key, Buffer.from(body.signature, 'base64'))) {
    return { state: 'invalid', keyId: id, reason: 'the signature does not match the files: one was changed after signing' };
  }
  return { state: 'trusted', keyId: id };
}

/**
 * Files in the module directory that Node could load (a `require('./x')` tries x, x.js, x.json,
 * x.node, ...) but that the manifest does not name: one of them could stand in for a signed file.
 * Type declarations, source maps and the like are never executed and are left out.
 */
function uncoveredFiles(directory: string, manifest: ModuleManifest): string[] {
  const named = new Set([...manifest.files, MANIFEST_FILE, SIGNATURE_FILE]);
  const loadable = (name: string) => !name.endsWith('.d.ts') && (/\.(c|m)?js$|\.json$|\.node$/.test(name) || !path.basename(name).includes('.'));
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(directory, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else if (!named.has(name) && loadable(name)) found.push(name);
    }
  };
  walk('');
  return found.sort();
}
