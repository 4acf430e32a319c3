/**
 * CameraOptions.libcameraIPA as createProxy's options: libcamera's worker and module, spoken to
 * with libcamera's protocol alone (`peer: 'libcamera'`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IPAInterface, ProxyOptions } from '../runtime';
import type { CameraOptions, LibcameraIPA } from './camera';
import { CameraError } from './errors';

/** What libcameraIPA takes the place of: it names libcamera's module and worker itself. */
const REPLACED = ['ipaModule', 'manager', 'workerCommand', 'sandbox'] as const;

export function libcameraProxyOptions<T extends IPAInterface<object>>(options: CameraOptions & { libcameraIPA: LibcameraIPA }): ProxyOptions<T> {
  const both = REPLACED.filter((name) => options[name] !== undefined);
  if (both.length > 0) throw new CameraError(`libcameraIPA names libcamera's IPA module and worker itself: leave out ${both.join(', ')}`);
  if ((options.isolation ?? 'process') !== 'process') throw new CameraError(`libcameraIPA runs libcamera's IPA in libcamera's worker process: isolation must be 'process', not '${options.isolation}'`);
  const { worker, module } = options.libcameraIPA;
  return {
    module,
    peer: 'libcamera',
    workerCommand: typeof worker === 'string' ? [worker] : worker,
    timeoutMs: options.timeoutMs,
    recovery: options.recovery,
  };
}

/**
 * The configuration file for init (libcamera's IPAProxy::configurationFile): `name` in the
 * libcamera IPA's data directory, else `fallback` there; '' without libcameraIPA, for ts-ipa's
 * IPAs find their own, or when neither is there.
 */
export function libcameraConfigurationFile(ipa: LibcameraIPA | undefined, name: string, fallback?: string): string {
  if (!ipa) return '';
  const found = [name, fallback].filter((file): file is string => file !== undefined).map((file) => path.resolve(ipa.dataDir, file)).find((file) => fs.existsSync(file));
  return found ?? '';
}
