import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.js'), '--quiet', '--with-test-contracts'], { cwd: root, stdio: 'inherit' });
}
