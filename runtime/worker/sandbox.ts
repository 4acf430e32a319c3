/**
 * The worker host's half of the process-mode sandbox: reading what the proxy asked for
 * (proxy/sandbox.ts builds it). The kernel's part is entered by the host, through the addon.
 */
import { SANDBOX_ENV, type SandboxSettings } from '../ipc/protocol';

/** The settings the proxy passed, if it asked for a sandbox. */
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
