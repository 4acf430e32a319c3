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

/**
 * The tarball. Packing runs the prebuild step as npm's prepack would, then `npm pack
 * --ignore-scripts` (the prepare step would build dist/ again), then the postpack step.
 */
export function packedTarball(): string {
  const dir = path.join(inject('runDir'), 'packed');
  const tarball = path.join(dir, 'ts-ipa.tgz');
  if (fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(dir, { recursive: true });
  try {
    run('npm', ['run', '--silent', 'build:prebuilds', '--', '--quiet'], { cwd: root });
    const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root })) as { filename: string }[];
    fs.renameSync(path.join(dir, packed!.filename), tarball);
  } finally {
    run(process.execPath, [path.join(root, 'scripts/prebuild.js'), '--remove']);
  }
  return tarball;
}

/**
 * How a user installs it: npm letting ts-ipa's install script run (npm 11 runs a dependency's
 * only when package.json's allowScripts names it), npm with no script at all, or pnpm as it is (it skips them).
 */
export type Installer = 'npm' | 'npm --ignore-scripts' | 'pnpm';

/** A new project in the run's directory with `packageJson`, the tarball and `alongside` (more packages) installed into it. */
export function installedProject(name: string, installer: Installer, packageJson: Record<string, unknown> = {}, alongside: readonly string[] = []): string {
  const tarball = packedTarball();
  const dir = path.join(inject('runDir'), name);
  fs.mkdirSync(dir);
  const allowScripts = installer === 'npm' ? { allowScripts: { 'ts-ipa': true } } : {};
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, ...allowScripts, ...packageJson }));
  if (installer === 'pnpm') {
    run(process.execPath, [PNPM, 'add', '--store-dir', PNPM_STORE, '--prefer-offline', tarball, ...alongside], { cwd: dir });
  } else {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(installer === 'npm' ? [] : ['--ignore-scripts']), tarball, ...alongside], { cwd: dir });
  }
  return dir;
}
