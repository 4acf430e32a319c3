import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory of this test run's own, removed when it ends (test/packed.ts packs into it). */
    runDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.js'), '--quiet', '--with-test-contracts'], { cwd: root, stdio: 'inherit' });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-run-'));
  project.provide('runDir', runDir);
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
