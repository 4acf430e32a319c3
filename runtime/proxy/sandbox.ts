import fs from 'node:fs';
import path from 'node:path';
import { SandboxError } from '../errors';
import { LIMITS, readDirectory } from '../modules/files';
import { MANIFEST_FILE } from '../modules/manifest';
import { addonFile, launcherFile, native } from '../native';
import { SANDBOX_ENV, type SandboxSettings } from '../sandbox-settings';

/**
 * What an isolated (process-mode) worker may do. By default it reads only its module's
 * directory, its contract's directory and ts-ipa's runtime; it writes no file, starts no process
 * or worker thread, opens no socket, signals no other process, loads no other native code, and
 * its data memory is capped. See docs/modules.md for what enforces each rule.
 */
export interface SandboxOptions {
  /** Files or directories (recursively) the IPA may read besides the defaults: tuning files, say. */
  allowRead?: readonly string[];
  /** The worker's data memory limit (RLIMIT_DATA), MiB; its JavaScript heap gets half (default 1024). */
  memoryLimitMb?: number;
  /**
   * The environment variables the IPA sees (default: none of the pipeline handler's). Not
   * passing the handler's environment keeps its secrets from the IPA, and keeps NODE_OPTIONS
   * from widening the sandbox.
   */
  env?: Readonly<Record<string, string>>;
}

const DEFAULT_MEMORY_LIMIT_MB = 1024;
/** Node's permission model: `--permission` once it left its experiment (22.13, 23.5), `--experimental-permission` before. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

/**
 * A worker command (a handler's own, keeping only the kernel's layers) started the way every
 * sandboxed worker is: through the launcher, so that its Node never sets up an io_uring the
 * sandbox would then refuse under it.
 */
export function launched(command: readonly [string, ...string[]]): [string, ...string[]] {
  return [launcherFile(), ...command];
}

/** The command and environment that start a worker host in the sandbox. */
export function sandboxedWorker(
  hostFile: string,
  modulePath: string,
  contractFile: string | undefined,
  options: SandboxOptions,
): { command: [string, ...string[]]; env: NodeJS.ProcessEnv } {
  const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  if (!(memoryLimitMb >= 64)) throw new RangeError(`sandbox.memoryLimitMb must be at least 64, not ${memoryLimitMb}`);
  // libuv would set its rings up before the sandbox, which then refuses io_uring (file
  // operations through it are out of the filter's sight): the worker could not run.
  const ioUring = options.env?.UV_USE_IO_URING;
  if (ioUring !== undefined && ioUring !== '0') throw new RangeError(`sandbox.env cannot set UV_USE_IO_URING (${ioUring}): the sandbox refuses io_uring`);
  const moduleDir = path.dirname(modulePath);
  const allowed = (options.allowRead ?? []).map((p) => path.resolve(p));
  const packages = [...packageDirs(moduleDir), ...(contractFile ? packageDirs(path.dirname(contractFile)) : [])];
  const given = [
    moduleDir,
    ...(contractFile ? [path.dirname(contractFile)] : []),
    path.join(__dirname, '..'), // ts-ipa's runtime
    path.join(__dirname, '../../ipa'), // ts-ipa's libipa, which IPAs build on
    path.dirname(addonFile()),
    dependencyDir('reflect-metadata', __dirname),
    ...optionalDependencyDir('yaml', path.join(__dirname, '../../ipa')), // libipa's tuning-file parser, if installed
    ...allowed,
  ];
  // Node opens a module by its real path, and the kernel (Landlock) knows files by where they
  // really are: each place by the path given and by its real path (a link in node_modules, a
  // module directory reached through a link). Of a node_modules/ts-ipa, the kernel lets the IPA
  // read only what it loads (packageReads); Node's permission model must let it read the whole,
  // by the link and by where it leads (resolving the package reads the link; resolving the
  // runtime's dependencies from its real path reads package.json files that may not exist in the
  // real package, under pnpm in its node_modules; a directory is granted with all below it).
  // Node reads a dependency by the path it finds it at before its real path (under pnpm, a link
  // in .pnpm/ts-ipa@…/node_modules): both are allowed.
  const defined = (p: string | undefined): p is string => p !== undefined;
  const dependencies = packages.flatMap(packageDependencies);
  const real = [...new Set([...given, ...packages.flatMap(packageReads), ...dependencies].map(realPath).filter(defined))];
  refuseLinksOut(moduleRoot(moduleDir, given), real);
  const reads = new Set([...given, ...packages, ...packages.map(realPath).filter(defined), ...dependencies, ...real]);
  const command: [string, ...string[]] = [
    launcherFile(),
    process.execPath,
    PERMISSION_FLAG,
    // The worker needs ts-ipa's addon for fd passing. Node warns that addons can void its
    // permission model: the seccomp filter the host installs before loading the IPA is what
    // keeps the IPA from loading one of its own.
    '--allow-addons',
    ...[...reads].map((p) => `--allow-fs-read=${p}`),
    `--max-old-space-size=${Math.floor(memoryLimitMb / 2)}`,
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    hostFile,
  ];
  const settings: SandboxSettings = { memoryLimitBytes: memoryLimitMb * 1024 * 1024, readable: real, addonFile: addonFile() };
  return { command, env: { ...options.env, [SANDBOX_ENV]: JSON.stringify(settings) } };
}

/** Each `node_modules/ts-ipa` Node's resolution would try from `dir` upwards, that exists. */
function packageDirs(dir: string): string[] {
  const found: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', 'ts-ipa');
    if (fs.existsSync(candidate)) found.push(candidate);
    if (path.dirname(at) === at) return found;
  }
}

/**
 * What of a ts-ipa package an IPA loads: its package.json, its runtime and its libipa (and its dependencies,
 * packageDependencies). Not the whole package: linked (npm link, a workspace), it is a source
 * tree, keys and all.
 */
function packageReads(candidate: string): string[] {
  return [path.join(candidate, 'package.json'), path.join(candidate, 'dist', 'runtime'), path.join(candidate, 'dist', 'ipa')];
}

/** Where a ts-ipa package's runtime finds the reflect-metadata it loads, and its libipa the yaml, as Node finds them. */
function packageDependencies(candidate: string): string[] {
  const found: string[] = [];
  for (const [name, dir] of [['reflect-metadata', 'runtime'], ['yaml', 'ipa']] as const) {
    try {
      found.push(dependencyDir(name, fs.realpathSync(path.join(candidate, 'dist', dir))));
    } catch {
      // a package without that part or its dependency: loading it fails, and says so
    }
  }
  return found;
}

/**
 * The directory Node finds package `name` at from `dir`: the first node_modules/<name> up the
 * tree, as it is (a link under pnpm), not where it leads.
 */
function dependencyDir(name: string, dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name);
    if (path.basename(at) !== 'node_modules' && fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(at) === at) return path.dirname(require.resolve(name, { paths: [dir] }));
  }
}

/** dependencyDir, or nothing when the package is not installed (an IPA that needs it then fails to load it, and says so). */
function optionalDependencyDir(name: string, dir: string): string[] {
  try {
    return [dependencyDir(name, dir)];
  } catch {
    return [];
  }
}

function realPath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined; // what does not exist cannot be read either
  }
}

function within(file: string, directories: readonly string[]): boolean {
  return directories.some((dir) => {
    const relative = path.relative(dir, file);
    return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
  });
}

/**
 * The module's own directory, whose links the proxy checks: the nearest one holding a manifest
 * (ipa-module.json), from the entry's directory up, if the IPA may read it (the IPAManager lets
 * it read its module's directory), else the entry's directory. What the pipeline handler adds
 * in allowRead is the handler's, links and all: the kernel lets the IPA read it by its real
 * path, and nothing a link inside it leads to elsewhere.
 */
function moduleRoot(entryDir: string, given: readonly string[]): string {
  for (let at = entryDir; given.includes(at); at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, MANIFEST_FILE))) return at;
    if (path.dirname(at) === at) break;
  }
  return entryDir;
}

/**
 * Every link below `dir` (not following links), depth first, in name order. The directory is the
 * module's to fill: a tree past the scan's limits (entries, depth) is refused rather than walked
 * without end while the pipeline handler waits.
 */
function* linksBelow(dir: string, budget = { entries: LIMITS.entries }, depth = 0): Generator<string> {
  let entries: fs.Dirent[] | undefined;
  try {
    entries = readDirectory(dir, budget.entries);
  } catch {
    return; // a file, or gone
  }
  budget.entries -= entries?.length ?? 0;
  if (!entries || budget.entries < 0 || depth > LIMITS.depth) {
    throw new SandboxError(`the sandbox refuses to start the IPA: ${dir} is past ${LIMITS.entries} entries or ${LIMITS.depth} levels in its module, too many to check for links`);
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) yield full;
    else if (entry.isDirectory()) yield* linksBelow(full, budget, depth + 1);
  }
}

/**
 * Refuses a link in the module's directory that leads outside what the IPA may read: Node's
 * permission model checks the path it is given, so without Landlock such a link would let the
 * IPA read anything (with it, the kernel refuses the read). Where the link leads is its real
 * path, or, when it leads nowhere yet, what its text names.
 */
function refuseLinksOut(moduleDir: string, real: readonly string[]): void {
  for (const link of linksBelow(moduleDir)) {
    const target = realPath(link) ?? path.resolve(path.dirname(link), fs.readlinkSync(link));
    if (within(target, real)) continue;
    throw new SandboxError(
      `the sandbox refuses to start the IPA: ${link} -> ${target} leads outside what the IPA may read (remove the link, or pass where it leads in sandbox.allowRead)`,
      link,
      target,
    );
  }
}

/** What of the sandbox the kernel here enforces. */
export interface SandboxSupport {
  /** The kernel's Landlock ABI version; 0 when it has none, and reads are confined by the proxy's checks and Node's permission model alone. */
  landlockAbi: number;
}

/** What of the sandbox the kernel here enforces (see SandboxSupport). */
export function sandboxSupport(): SandboxSupport {
  return native().sandboxSupport();
}
