import fs from 'node:fs';
import path from 'node:path';

/**
 * How much of a module the manager reads. A module directory is the attacker's to fill: without
 * limits a sparse file, /dev/zero or a FIFO would make the scan read without end or block.
 */
export const LIMITS = {
  manifest: 64 * 1024,
  signature: 4 * 1024,
  /** Each file the manifest names. */
  file: 16 * 1024 * 1024,
  /** All the files of one module together (a trusted module's are kept in memory). */
  module: 64 * 1024 * 1024,
  /** Entries in the manifest's "files". */
  files: 1024,
  /** Entries of one search directory, and of one module's tree, looked at before giving up. */
  entries: 4096,
  /** Directories below one search path the scan visits. */
  directories: 16384,
  /** Subdirectory levels in a module. */
  depth: 16,
} as const;

export type FileKind = 'manifest' | 'signature' | 'file';
const LIMIT_NAMES: Record<FileKind, string> = { manifest: "the manifest's limit", signature: "the signature's limit", file: "a module file's limit" };

/** Why a module file was not read, phrased to follow "<file> is". */
export class FileRefusal extends Error {
  constructor(
    readonly reason: string,
    /** The errno code, when the system refused. */
    readonly code?: string,
  ) {
    super(reason);
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** What a non-regular file is, for a message. */
export function fileType(stat: fs.Stats | fs.Dirent): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}

const SYMLINK = 'a symbolic link: module files are read only as regular files';
// O_NONBLOCK: a FIFO swapped in after the lstat opens at once instead of waiting for a writer;
// O_NOFOLLOW: a link swapped in is refused (ELOOP); O_NOCTTY: a terminal never becomes ours.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

/**
 * The bytes of `realDirectory/name`, read once, if it is a regular file of at most the limit for
 * its kind, reached through real directories only. `realDirectory` must be a real path (no links).
 * A link is refused rather than followed, since where it leads can change after the check; so is
 * a file reached through a directory that became a link, which the kernel's name for the open fd
 * shows. Never blocks (FIFOs are refused unopened, or opened non-blocking) and never reads past
 * the limit. Throws FileRefusal.
 */
export function readModuleFile(realDirectory: string, name: string, kind: FileKind): Uint8Array {
  const file = path.join(realDirectory, name);
  const limit = LIMITS[kind];
  const tooLarge = () => new FileRefusal(`larger than ${LIMIT_NAMES[kind]} of ${formatBytes(limit)}`);
  const before = statOrRefuse(() => fs.lstatSync(file));
  if (before.isSymbolicLink()) throw new FileRefusal(SYMLINK);
  if (!before.isFile()) throw new FileRefusal(`not a regular file (${fileType(before)})`);
  if (before.size > limit) throw tooLarge();
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ELOOP' ? new FileRefusal(SYMLINK) : new FileRefusal(`not readable (${code ?? (error as Error).message})`, code);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileRefusal(`not a regular file (${fileType(stat)})`);
    if (stat.size > limit) throw tooLarge();
    if (!openedAt(fd, file, stat)) throw new FileRefusal('not where it was looked for: a directory on its path is a link, or was moved');
    // One byte more than the limit: a file that grew since fstat is refused, not read on.
    const buffer = Buffer.allocUnsafeSlow(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) throw tooLarge();
      if (length === buffer.length) break;
    }
    if (length === buffer.length && length > stat.size) throw new FileRefusal('changing while it was read');
    return new Uint8Array(buffer.subarray(0, length));
  } catch (error) {
    if (error instanceof FileRefusal) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileRefusal(`not readable (${code ?? (error as Error).message})`, code);
  } finally {
    fs.closeSync(fd);
  }
}

/** lstat, with ENOENT and the like as a FileRefusal. */
function statOrRefuse(stat: () => fs.Stats): fs.Stats {
  try {
    return stat();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileRefusal(code === 'ENOENT' ? 'missing' : `not readable (${code ?? (error as Error).message})`, code);
  }
}

/**
 * The open fd is the file at `file`, reached through no link: the kernel's path for the fd
 * (/proc/self/fd) is exactly `file`. Where /proc is not mounted, the fd and the name must at
 * least be the same inode (a link swapped into the path between the check and the open could
 * then go unseen; /proc is there on every Linux ts-ipa runs on).
 */
function openedAt(fd: number, file: string, stat: fs.Stats): boolean {
  let actual: string;
  try {
    actual = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    const named = fs.lstatSync(file, { throwIfNoEntry: false });
    return named !== undefined && named.ino === stat.ino && named.dev === stat.dev;
  }
  return actual === file;
}

/** lstat that answers undefined for a name that cannot be looked at (missing, no permission, not a directory on the way). */
export function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Up to `limit` entries of a directory, links and all (never followed), sorted by name;
 * undefined when it holds more (the caller refuses it whole: a partial walk would depend on the
 * order the file system lists them in). Throws the system's error when it cannot be read.
 */
export function readDirectory(dir: string, limit: number = LIMITS.entries): fs.Dirent[] | undefined {
  const handle = fs.opendirSync(dir);
  const entries: fs.Dirent[] = [];
  try {
    for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
      if (entries.length === limit) return undefined;
      entries.push(entry);
    }
  } finally {
    handle.closeSync();
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** How to show a name taken from a module's manifest: as it is if plain, else quoted and cut. */
export function shown(name: string): string {
  return /^[\w.@+\-/]{1,128}$/.test(name) ? name : quoted(name);
}

/** A name from a manifest as a JSON string, cut at 128 characters: no newline or escape reaches the log. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > 128 ? `${name.slice(0, 128)}…` : name);
}
