/**
 * The sandbox's settings as they pass from the proxy to the worker host, in the worker's
 * environment: both ends read this file and neither the other's. The proxy's half
 * (proxy/sandbox.ts) scans the module's files to decide them; the worker host needs none of that
 * code to start.
 */

/** The worker's environment variable that carries the sandbox's settings to the worker host. */
export const SANDBOX_ENV = 'TS_IPA_SANDBOX';

/** What the proxy tells the worker host about its sandbox (in SANDBOX_ENV). */
export interface SandboxSettings {
  memoryLimitBytes: number;
  /** The real paths the worker may read: the kernel (Landlock) lets it read nothing else. */
  readable: string[];
  /** The addon the proxy loaded, for the worker to load without looking for it. */
  addonFile: string;
}

/** In the worker host: the settings the proxy passed, if it asked for a sandbox. */
export function sandboxSettings(env: NodeJS.ProcessEnv): SandboxSettings | undefined {
  const raw = env[SANDBOX_ENV];
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as { memoryLimitBytes?: unknown; readable?: unknown; addonFile?: unknown };
  const readable = parsed.readable;
  if (typeof parsed.memoryLimitBytes !== 'number' || !Array.isArray(readable) || !readable.every((p) => typeof p === 'string') || typeof parsed.addonFile !== 'string') {
    throw new Error(`${SANDBOX_ENV} is malformed: ${raw}`);
  }
  return { memoryLimitBytes: parsed.memoryLimitBytes, readable, addonFile: parsed.addonFile };
}
