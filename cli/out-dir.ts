import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

/**
 * Checks a directory a command is to write in before it does any work: the directory, or its
 * nearest existing ancestor when it is to be made, must be a directory this process can write
 * in. Returns that existing directory. (Checked by writing: permission bits say nothing for root
 * or on a read-only mount, and a recursive mkdir under /proc loops for ever.)
 */
export function writableDirOrAncestor(option: string, dir: string): string {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) throw new UsageError(`${option} ${dir}: ${existing} is not a directory`);
  const probe = path.join(existing, `.ts-ipa-write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    throw new UsageError(`${option} ${dir}: cannot write in ${existing} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return existing;
}
