import fs from 'node:fs';
import path from 'node:path';

/** package.json's engines.node: the Node lines CI runs the suite on. */
function supportedRange(): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { engines?: { node?: string } };
    return manifest.engines?.node;
  } catch {
    return undefined;
  }
}

/**
 * Says so when this Node is outside the lines ts-ipa supports. There a sandboxed worker can fail
 * to start in ways Node explains poorly (an option it does not know yet, a module its permission
 * model will not let it resolve), and a crash report is the place to say why. Only `^x.y.z`
 * alternatives are read; a range written otherwise is not second-guessed.
 */
export function unsupportedNodeNote(version = process.versions.node, range = supportedRange()): string | undefined {
  if (!range) return undefined;
  const alternatives = range.split('||').map((part) => /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part));
  if (alternatives.some((match) => !match)) return undefined;
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const supported = alternatives.some((match) => {
    const [, m, n, p] = match!.map(Number) as [number, number, number, number];
    return major === m && (minor > n || (minor === n && patch >= p));
  });
  return supported ? undefined : `Node ${version} is not one ts-ipa supports (${range.trim()})`;
}
