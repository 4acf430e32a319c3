import fs from 'node:fs';
import path from 'node:path';

/**
 * The public half of the key ts-ipa's build signs its own platforms' IPA modules with. The build
 * makes a fresh pair each time (`scripts/build.js`, as libcamera makes its module key at build
 * time), signs with it and forgets the private half: no private key is ever written, so none can
 * be read from the package by a sandboxed IPA. Only this file is kept, and ships with the runtime.
 */
export const PROJECT_KEY_FILE = path.join(__dirname, 'project-key.pem');

export function projectPublicKey(): string | undefined {
  try {
    return fs.readFileSync(PROJECT_KEY_FILE, 'utf8');
  } catch {
    return undefined;
  }
}
