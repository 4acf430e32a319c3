import fs from 'node:fs';
import path from 'node:path';
import { ModuleError } from '../errors';
import { FileRefusal, fileType, LIMITS, quoted, readModuleFile, shown } from './files';
import { parseJSON } from './json';

/** The IPA API version this runtime speaks; a module built for another one is not loaded. */
export const IPA_MODULE_API_VERSION = 1;
export const MANIFEST_FILE = 'ipa-module.json';
export const SIGNATURE_FILE = 'ipa-module.sig';

// libcamera's own pipeline names include a slash (rpi/vc4).
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._+/-]{0,63}$/;

/** What `ipa-module.json` says of a module (see docs/modules.md). */
export interface ModuleManifest {
  /** The module's own name. */
  name: string;
  /** The pipeline handler it serves, as the handler names itself ("vimc"). */
  pipeline: string;
  /** The version of the pipeline's IPA interface it implements; handlers ask for a range. */
  version: number;
  /** The ts-ipa IPA API version it was built for. */
  apiVersion: number;
  /** The file the worker loads, relative to the module directory. */
  entry: string;
  /** Every file of the module, relative to its directory: what the signature covers. */
  files: string[];
}

/** Reads and checks a module directory's manifest; a ModuleError names the file and the fault. */
export function readManifest(directory: string): ModuleManifest {
  return readManifestFile(directory).manifest;
}

/**
 * The manifest, and the bytes it was parsed from: the ones its signature must cover (reading the
 * file again to check it would let it change in between). Read as a regular file of at most 64
 * KiB; its text is never quoted in an error, since the file may be a link to someone's secret.
 */
export function readManifestFile(directory: string): { manifest: ModuleManifest; bytes: Uint8Array; realDirectory: string } {
  const file = path.join(directory, MANIFEST_FILE);
  let realDirectory: string;
  let bytes: Uint8Array;
  try {
    realDirectory = fs.realpathSync(directory);
    bytes = readModuleFile(realDirectory, MANIFEST_FILE, 'manifest');
  } catch (error) {
    if (error instanceof FileRefusal) throw new ModuleError(file, error.code ? `cannot read the manifest (${error.code})` : error.reason);
    throw new ModuleError(file, `cannot read the manifest (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const parsed = parseJSON(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if ('error' in parsed) throw new ModuleError(file, parsed.error);
  return { manifest: checkManifest(parsed.value, realDirectory, file), bytes, realDirectory };
}

function checkManifest(raw: unknown, directory: string, file: string): ModuleManifest {
  const fail = (reason: string): never => {
    throw new ModuleError(file, reason);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the manifest must be a JSON object');
  const m = raw as Record<string, unknown>;
  for (const key of ['name', 'pipeline', 'entry'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') fail(`"${key}" must be a non-empty string`);
  }
  // Both end up in log lines: no newline, escape or lookalike of a path there.
  for (const key of ['name', 'pipeline'] as const) {
    if (!PLAIN_NAME.test(m[key] as string)) fail(`"${key}" must be a plain name: letters, digits and . _ + / -, at most 64`);
  }
  for (const key of ['version', 'apiVersion'] as const) {
    if (!Number.isInteger(m[key]) || (m[key] as number) < 0) fail(`"${key}" must be an integer ≥ 0`);
  }
  if (!Array.isArray(m.files) || m.files.length === 0 || !m.files.every((f) => typeof f === 'string')) fail('"files" must list the module\'s files');
  const files = m.files as string[];
  if (files.length > LIMITS.files) fail(`"files" names more than ${LIMITS.files} files`);
  for (const name of files) {
    if (!isInside(name)) fail(`"files" names ${quoted(name)}, which is not a relative path inside the module`);
    if (name === MANIFEST_FILE || name === SIGNATURE_FILE) fail(`"files" must not name ${name} itself`);
    const problem = notARegularFile(directory, name);
    if (problem) fail(`"files" names ${shown(name)}, which ${problem}`);
  }
  if (new Set(files).size !== files.length) fail('"files" names a file twice');
  const entry = m.entry as string;
  if (!files.includes(entry)) fail(`the entry ${shown(entry)} is not among "files"`);
  if (m.apiVersion !== IPA_MODULE_API_VERSION) fail(`built for IPA API version ${String(m.apiVersion)}; this ts-ipa speaks version ${IPA_MODULE_API_VERSION}`);
  return { name: m.name as string, pipeline: m.pipeline as string, version: m.version as number, apiVersion: m.apiVersion as number, entry, files };
}

/**
 * Why `name` is not a regular file reached through real directories of the module, if it is not:
 * a link anywhere on the way could lead out of the module, or somewhere else tomorrow.
 */
function notARegularFile(directory: string, name: string): string | undefined {
  const parts = name.split('/');
  for (let k = 1; k <= parts.length; k++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(directory, ...parts.slice(0, k)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? 'does not exist' : `cannot be looked at (${code ?? (error as Error).message})`;
    }
    const last = k === parts.length;
    if (stat.isSymbolicLink()) return last ? 'is a symbolic link' : `lies in ${parts.slice(0, k).join('/')}, which is a symbolic link`;
    if (last ? !stat.isFile() : !stat.isDirectory()) return last ? `is not a regular file (${fileType(stat)})` : `lies in ${parts.slice(0, k).join('/')}, which is not a directory`;
  }
  return undefined;
}

/** A relative path that stays inside the module: no `..`, not absolute, forward slashes. */
function isInside(name: string): boolean {
  if (name === '' || name.includes('\\') || path.posix.isAbsolute(name)) return false;
  const normal = path.posix.normalize(name);
  return normal === name && !normal.startsWith('../') && normal !== '..';
}
