/**
 * ts-ipa as a user gets it: the tarball `npm pack` makes (its prepack step's prebuilds, the dist/
 * the global setup built), packed once per test run, and fresh projects that install it with
 * npm or pnpm (the pinned devDependency) the way users do.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { root } from './support';

/** The pnpm a user of pnpm 10 has: it runs no install script of a dependency unless told to. */
export const PNPM = path.join(root, 'node_modules/pnpm/bin/pnpm.cjs');
/** Kept across runs, so that pnpm fetches each dependency once. */
const PNPM_STORE = path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? root, '.cache'), 'ts-ipa', 'pnpm-store');

/** Runs a command to completion; throws with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${String(options.cwd ?? process.cwd())}) exited with ${result.status ?? result.signal}:\n${String(result.stdout)}${String(result.stderr)}`);
  }
  return String(result.stdout);
}

/** What of the tree packing leaves behind: built or fetched here, or not the package's. */
const NOT_STAGED = new Set(['.git', 'node_modules', 'frames', 'bench/results', 'native/build', 'native/build-prebuild', 'native/prebuilds']);

/**
 * The tarball. Packing runs the prebuild step as npm's prepack would, then `npm pack
 * --ignore-scripts` (the prepare step would build dist/ again), in a copy of the tree: the
 * prebuilds must not stand in the working tree for the addon `npm install` compiles, nor appear
 * and vanish under another test's `npm pack`.
 */
export function packedTarball(): string {
  const dir = path.join(inject('runDir'), 'packed');
  const tarball = path.join(dir, 'ts-ipa.tgz');
  try {
    fs.mkdirSync(dir); // whoever makes it packs; test files running beside it wait
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return waitFor(tarball, path.join(dir, 'failed'));
  }
  try {
    const stage = path.join(dir, 'tree');
    fs.cpSync(root, stage, { recursive: true, filter: (from) => !NOT_STAGED.has(path.relative(root, from)) });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'));
    run('npm', ['run', '--silent', 'build:prebuilds', '--', '--quiet'], { cwd: stage });
    const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: stage })) as { filename: string }[];
    fs.renameSync(path.join(dir, packed!.filename), tarball);
    return tarball;
  } catch (error) {
    fs.writeFileSync(path.join(dir, 'failed'), (error as Error).message);
    throw error;
  }
}

function waitFor(tarball: string, failure: string): string {
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)) {
    if (fs.existsSync(tarball)) return tarball;
    if (fs.existsSync(failure)) throw new Error(`packing ts-ipa failed in another test file: ${fs.readFileSync(failure, 'utf8')}`);
  }
  throw new Error(`packing ts-ipa took over 10 minutes in another test file (${tarball})`);
}

/**
 * How a user installs it: npm letting ts-ipa's install script run (npm 11 warns of a dependency's
 * that package.json's allowScripts does not name), npm with no script at all, or pnpm as it is (it skips them).
 */
export type Installer = 'npm' | 'npm --ignore-scripts' | 'pnpm';

/** A new project in the run's directory with `packageJson`, the tarball and `alongside` (more packages) installed into it. */
export function installedProject(name: string, installer: Installer, packageJson: Record<string, unknown> = {}, alongside: readonly string[] = []): string {
  const tarball = packedTarball();
  const dir = path.join(inject('runDir'), name);
  fs.mkdirSync(dir);
  // npm keys a dependency installed from a tarball by its spec, as `npm install-scripts approve` writes it.
  const allowScripts = installer === 'npm' ? { allowScripts: { [`file:${tarball}`]: true } } : {};
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, ...allowScripts, ...packageJson }));
  if (installer === 'pnpm') {
    run(process.execPath, [PNPM, 'add', '--store-dir', PNPM_STORE, '--prefer-offline', tarball, ...alongside], { cwd: dir });
  } else {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(installer === 'npm' ? [] : ['--ignore-scripts']), tarball, ...alongside], { cwd: dir });
  }
  return dir;
}
