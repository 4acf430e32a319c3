/**
 * Reading a tuning file: libcamera's YamlParser (libcamera-internal, which IPAs link) as
 * ts-ipa/ipa's, on the `yaml` package. The IPA's sandbox lets it load that package with libipa
 * (runtime/proxy/sandbox.ts); the file itself is the pipeline handler's to allow.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import type { TuningValue } from './tuning';

/** Why a tuning file could not be read: `errno` is the negative errno an IPA returns. */
export class TuningFileError extends Error {
  override name = 'TuningFileError';
  constructor(
    readonly file: string,
    readonly errno: number,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const ERRNO: Record<string, number> = { ENOENT: 2, EACCES: 13, EPERM: 1, EISDIR: 21, ENOTDIR: 20, ELOOP: 40, ENAMETOOLONG: 36 };

/** The YAML text's value (YAML 1.1 when the file says `%YAML 1.1`, as libcamera's files do). */
export function parseTuningYaml(text: string): TuningValue {
  return (parse(text) ?? null) as TuningValue;
}

/**
 * Reads and parses a tuning file. Throws a TuningFileError: errno of the failed open (as
 * libcamera's File::open) or -EINVAL (22) for text that is not YAML.
 */
export function readTuningFile(file: string): TuningValue {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new TuningFileError(file, -(ERRNO[code] ?? 5), `Failed to open configuration file: ${code || String(error)}`);
  }
  try {
    return parseTuningYaml(text);
  } catch (error) {
    throw new TuningFileError(file, -22, `not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}
