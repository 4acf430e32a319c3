import fs from 'node:fs';
import path from 'node:path';
import type { IPAInterface } from '../contract';
import { ModuleError } from '../errors';
import { createProxy, type ProxyOptions } from '../proxy/create';
import type { ContractClass } from '../contract-types';
import type { IPAProxy, Isolation } from '../proxy/types';
import { fileType, LIMITS, lstatOrUndefined, readDirectory } from './files';
import { MANIFEST_FILE, readManifestFile, type ModuleManifest } from './manifest';
import { projectPublicKey } from './project-key';
import { checkModule, TrustedKeys, type KeyInput, type SignatureCheck, type VerifiedModule } from './signature';

/** Directories searched for IPA modules before the built-in ones, colon-separated. */
export const MODULE_PATH_ENV = 'TS_IPA_MODULE_PATH';
/** Set (to anything but an empty string) to run every IPA isolated in a process. */
export const FORCE_ISOLATION_ENV = 'TS_IPA_FORCE_ISOLATION';

export interface IPAManagerOptions {
  /** Public keys to trust beside the project's own (Ed25519, PEM or KeyObject). */
  trustedKeys?: readonly KeyInput[];
  /** Trust the key ts-ipa's build signed its own platforms' modules with (default true). */
  trustProjectKey?: boolean;
  /** The environment to read TS_IPA_MODULE_PATH and TS_IPA_FORCE_ISOLATION from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Searched after the environment's directories (default: the built-in platforms). */
  builtInPaths?: readonly string[];
  /** Warnings: broken modules, and modules forced into a process (default: a line on stderr). */
  log?: (message: string) => void;
}

/** A module directory the manager found, usable or not. */
export interface FoundModule {
  directory: string;
  /** Where it was found: a TS_IPA_MODULE_PATH directory, or the built-in platforms. */
  origin: 'environment' | 'built-in';
  manifest?: ModuleManifest;
  /** Why it is skipped, when it is. */
  error?: ModuleError;
  signature?: SignatureCheck;
}

export interface CreateIPAOptions<T extends IPAInterface<object>> extends Omit<ProxyOptions<T>, 'module' | 'isolation'> {
  /** The pipeline handler's name, as modules name it in their manifest. */
  pipeline: string;
  /** The versions of the pipeline's IPA interface the handler speaks (default: any). */
  minVersion?: number;
  maxVersion?: number;
  /** Where the handler would run the IPA if the module is trusted (default `thread`). */
  isolation?: Isolation;
}

/** Where a module runs, and why when that is not where the pipeline handler asked. */
export interface IsolationDecision {
  isolation: Isolation;
  reason?: string;
}

const BUILT_IN = path.join(__dirname, '../../platforms');

/**
 * Finds IPA modules, checks their signatures and decides where each runs, as libcamera's
 * IPAManager: modules from TS_IPA_MODULE_PATH first, then the built-in platforms; a module whose
 * signature verifies against a trusted key may run in the pipeline handler's process, any other
 * runs isolated.
 */
export class IPAManager {
  readonly trusted: TrustedKeys;
  /** TS_IPA_FORCE_ISOLATION was set: every module runs in a process. */
  readonly forcedIsolation: boolean;
  private found: FoundModule[] = [];
  /** What trusted modules' signatures covered, as read at the scan: what in-process modes run. */
  private verified = new WeakMap<FoundModule, VerifiedModule>();
  private readonly told = new Set<string>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: IPAManagerOptions = {}) {
    const env = options.env ?? process.env;
    this.log = options.log ?? ((message) => process.stderr.write(`ts-ipa: ${message}\n`));
    this.trusted = new TrustedKeys(options.trustedKeys ?? []);
    const projectKey = options.trustProjectKey === false ? undefined : projectPublicKey();
    if (projectKey) this.trusted.add(projectKey);
    this.forcedIsolation = (env[FORCE_ISOLATION_ENV] ?? '') !== '';
    this.rescan();
  }

  /** Looks for modules again, in the directories as they are now. */
  rescan(): void {
    const found: FoundModule[] = [];
    this.verified = new WeakMap();
    for (const { dir, origin } of this.searchPaths()) {
      // The search path itself may be a link (the operator's to set); nothing below it is followed.
      let real: string;
      try {
        real = fs.realpathSync(dir);
      } catch {
        if (origin === 'environment') this.log(`${MODULE_PATH_ENV} names ${dir}, which does not exist`);
        continue;
      }
      for (const directory of moduleDirectories(real, this.log)) found.push(this.inspect(directory, origin));
    }
    this.found = found;
  }

  /** Where modules are looked for, in order: TS_IPA_MODULE_PATH's directories, then the built-in ones. */
  private searchPaths(): { dir: string; origin: FoundModule['origin'] }[] {
    const env = this.options.env ?? process.env;
    return [
      ...(env[MODULE_PATH_ENV] ?? '').split(':').filter((dir) => dir !== '').map((dir) => ({ dir, origin: 'environment' as const })),
      ...(this.options.builtInPaths ?? [BUILT_IN]).map((dir) => ({ dir, origin: 'built-in' as const })),
    ];
  }

  private inspect(directory: string, origin: FoundModule['origin']): FoundModule {
    try {
      const { manifest, bytes } = readManifestFile(directory);
      const { signature, verified } = checkModule(directory, manifest, this.trusted, bytes);
      const found: FoundModule = { directory, origin, manifest, signature };
      if (verified) this.verified.set(found, verified);
      return found;
    } catch (error) {
      if (!(error instanceof ModuleError)) throw error;
      this.log(`skipping the IPA module in ${directory}: ${error.message}`);
      return { directory, origin, error };
    }
  }

  /** Every module found, usable or not, in search order. */
  get modules(): readonly FoundModule[] {
    return this.found;
  }

  /**
   * The module for a pipeline handler: the highest version in [minVersion, maxVersion] among the
   * usable modules naming that pipeline; between equal versions, the first found (so a
   * TS_IPA_MODULE_PATH module replaces a built-in one of the same version).
   */
  select(pipeline: string, minVersion = 0, maxVersion = Number.MAX_SAFE_INTEGER): FoundModule | undefined {
    let best: FoundModule | undefined;
    for (const module of this.found) {
      const m = module.manifest;
      if (!m || m.pipeline !== pipeline || m.version < minVersion || m.version > maxVersion) continue;
      if (!best || m.version > best.manifest!.version) best = module;
    }
    return best;
  }

  /** Where a module runs when the pipeline handler asks for `requested`. */
  decideIsolation(module: FoundModule, requested: Isolation): IsolationDecision {
    if (requested === 'process') return { isolation: 'process' };
    if (this.forcedIsolation) return { isolation: 'process', reason: `${FORCE_ISOLATION_ENV} is set` };
    const signature = module.signature ?? { state: 'unsigned' };
    switch (signature.state) {
      case 'trusted':
        return { isolation: requested };
      case 'unsigned':
        return { isolation: 'process', reason: 'it is not signed' };
      case 'untrusted':
        return { isolation: 'process', reason: `it is signed by key ${signature.keyId}, which is not trusted` };
      case 'invalid':
        return { isolation: 'process', reason: `its signature does not verify: ${signature.reason}` };
    }
  }

  /** A proxy for the best module for `options.pipeline`, running where trust allows. */
  async createIPA<T extends IPAInterface<object>>(contract: ContractClass<T>, options: CreateIPAOptions<T>): Promise<IPAProxy<T>> {
    const { pipeline, minVersion, maxVersion, isolation, ...proxyOptions } = options;
    const module = this.select(pipeline, minVersion, maxVersion);
    if (!module) {
      const range = minVersion === undefined && maxVersion === undefined ? '' : ` with a version in [${minVersion ?? 0}, ${maxVersion ?? '∞'}]`;
      throw new ModuleError(pipeline, `no IPA module for pipeline "${pipeline}"${range} (searched ${this.searchPaths().map((p) => p.dir).join(', ')})`);
    }
    const decision = this.decideIsolation(module, isolation ?? 'thread');
    if (decision.reason && !this.told.has(module.directory)) {
      this.told.add(module.directory);
      this.log(`the IPA module ${module.manifest!.name} (${module.directory}) runs isolated in a process: ${decision.reason}`);
    }
    // The whole module directory is the IPA's to read, wherever in it the entry lies.
    const sandbox = proxyOptions.sandbox === false ? false : { ...proxyOptions.sandbox, allowRead: [module.directory, ...(proxyOptions.sandbox?.allowRead ?? [])] };
    if (decision.isolation === 'process') {
      return createProxy(contract, { ...proxyOptions, sandbox, module: path.join(module.directory, module.manifest!.entry), isolation: 'process' });
    }
    // In the handler's process only the bytes the signature was checked over run, never the
    // files as they are now: a file changed or a directory swapped since the scan changes nothing.
    const verified = this.verified.get(module);
    if (!verified) throw new ModuleError(module.directory, 'runs in-process only from the files its trusted signature was verified over at the scan, and this manager verified none for it');
    return createProxy(contract, { ...proxyOptions, sandbox, module: verified, isolation: decision.isolation });
  }
}

/**
 * The module directories under the real directory `root`: a directory holding a manifest (of any
 * kind: reading it says what is wrong) is a module; otherwise its subdirectories are searched,
 * two deep. Links are not followed (they could lead in loops or anywhere) and each one is named
 * in the log; a directory of more than LIMITS.entries entries is not searched, and the walk stops
 * after LIMITS.directories directories, saying so.
 */
function moduleDirectories(root: string, log: (message: string) => void): string[] {
  let budget = LIMITS.directories;
  const walk = (dir: string, depth: number): string[] => {
    if (lstatOrUndefined(path.join(dir, MANIFEST_FILE))) return [dir];
    if (depth >= 2) return [];
    if (budget-- === 0) {
      log(`${root}: more than ${LIMITS.directories} directories to search: ${dir} and those after it are not searched`);
      return [];
    }
    let entries: fs.Dirent[] | undefined;
    try {
      entries = readDirectory(dir);
    } catch {
      return [];
    }
    if (!entries) {
      log(`${dir} holds more than ${LIMITS.entries} entries: not searched`);
      return [];
    }
    const found: string[] = [];
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const kind = entry.isDirectory() || entry.isSymbolicLink() || entry.isFile() ? entry : lstatOrUndefined(full);
      if (kind?.isSymbolicLink()) log(`${full} is ${fileType(kind)}: not followed`);
      else if (kind?.isDirectory()) found.push(...walk(full, depth + 1));
      if (budget < 0) break;
    }
    return found;
  };
  return walk(root, 0);
}

let shared: IPAManager | undefined;

/** One manager for the process, made on first use from process.env. */
export function defaultIPAManager(): IPAManager {
  shared ??= new IPAManager();
  return shared;
}
