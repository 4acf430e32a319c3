import fs from 'node:fs';
import path from 'node:path';
import { ADDON_FILE, native } from '../native';

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

/** The worker's environment variable that carries the sandbox's settings to the worker host. */
export const SANDBOX_ENV = 'TS_IPA_SANDBOX';
const DEFAULT_MEMORY_LIMIT_MB = 1024;

/** The command and environment that start a worker host in the sandbox. */
export function sandboxedWorker(
  hostFile: string,
  modulePath: string,
  contractFile: string | undefined,
  options: SandboxOptions,
): { command: [string, ...string[]]; env: NodeJS.ProcessEnv } {
  const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  if (!(memoryLimitMb >= 64)) throw new RangeError(`sandbox.memoryLimitMb must be at least 64, not ${memoryLimitMb}`);
  const reads = new Set([
    path.dirname(modulePath),
    ...(contractFile ? [path.dirname(contractFile)] : []),
    // Where the module and its contract find ts-ipa by name (node_modules/ts-ipa, often a link).
    ...packagePaths(path.dirname(modulePath)),
    ...(contractFile ? packagePaths(path.dirname(contractFile)) : []),
    path.join(__dirname, '..'), // ts-ipa's runtime
    path.dirname(ADDON_FILE),
    path.dirname(require.resolve('reflect-metadata')),
    ...(options.allowRead ?? []).map((p) => path.resolve(p)),
  ]);
  const command: [string, ...string[]] = [
    process.execPath,
    '--experimental-permission',
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
  return { command, env: { ...options.env, [SANDBOX_ENV]: JSON.stringify({ memoryLimitBytes: memoryLimitMb * 1024 * 1024 }) } };
}

/** Each `node_modules/ts-ipa` Node's resolution would try from `dir` upwards, that exists. */
function packagePaths(dir: string): string[] {
  const found: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', 'ts-ipa');
    if (fs.existsSync(candidate)) found.push(candidate);
    if (path.dirname(at) === at) return found;
  }
}

/** In the worker host: the settings the proxy passed, if it asked for a sandbox. */
export function sandboxSettings(env: NodeJS.ProcessEnv): { memoryLimitBytes: number } | undefined {
  const raw = env[SANDBOX_ENV];
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as { memoryLimitBytes?: unknown };
  if (typeof parsed.memoryLimitBytes !== 'number') throw new Error(`${SANDBOX_ENV} is malformed: ${raw}`);
  return { memoryLimitBytes: parsed.memoryLimitBytes };
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
