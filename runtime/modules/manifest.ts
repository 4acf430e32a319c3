import fs from 'node:fs';
import path from 'node:path';
import { ModuleError } from '../errors';

/** The IPA API version this runtime speaks; a module built for another one is not loaded. */
export const IPA_MODULE_API_VERSION = 1;
export const MANIFEST_FILE = 'ipa-module.json';
export const SIGNATURE_FILE = 'ipa-module.sig';

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
  const file = path.join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModuleError(file, `cannot read the manifest (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModuleError(file, `not JSON: ${(error as Error).message}`);
  }
  return checkManifest(raw, directory, file);
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
  for (const key of ['version', 'apiVersion'] as const) {
    if (!Number.isInteger(m[key]) || (m[key] as number) < 0) fail(`"${key}" must be an integer ≥ 0`);
  }
  if (!Array.isArray(m.files) || m.files.length === 0 || !m.files.every((f) => typeof f === 'string')) fail('"files" must list the module\'s files');
  const files = m.files as string[];
  for (const name of files) {
    if (!isInside(name)) fail(`"files" names ${JSON.stringify(name)}, which is not a relative path inside the module`);
    if (name === MANIFEST_FILE || name === SIGNATURE_FILE) fail(`"files" must not name ${name} itself`);
    if (!fs.existsSync(path.join(directory, name))) fail(`"files" names ${name}, which does not exist`);
  }
  if (new Set(files).size !== files.length) fail('"files" names a file twice');
  const entry = m.entry as string;
  if (!files.includes(entry)) fail(`the entry ${entry} is not among "files"`);
  if (m.apiVersion !== IPA_MODULE_API_VERSION) fail(`built for IPA API version ${String(m.apiVersion)}; this ts-ipa speaks version ${IPA_MODULE_API_VERSION}`);
  return { name: m.name as string, pipeline: m.pipeline as string, version: m.version as number, apiVersion: m.apiVersion as number, entry, files };
}

/** A relative path that stays inside the module: no `..`, not absolute, forward slashes. */
function isInside(name: string): boolean {
  if (name === '' || name.includes('\\') || path.posix.isAbsolute(name)) return false;
  const normal = path.posix.normalize(name);
  return normal === name && !normal.startsWith('../') && normal !== '..';
}
