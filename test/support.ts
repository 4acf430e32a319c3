/** What the tests share: the compiled runtime (tests exercise dist/, built by global-setup) and hex helpers. */
import fs from 'node:fs';
import path from 'node:path';

export * as runtime from '../dist/runtime/index.js';

export const root = path.join(__dirname, '..');

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export interface GoldenVector {
  name: string;
  group: string;
  cpp_type: string;
  value_description: string;
  hex: string;
  hex_dont_care_zeroed?: string;
  size: number;
  fds: number;
  decoded?: {
    info?: { items: { id: number }[] } | null;
    list?: { items: { id: number }[] } | null;
    items?: { id: number }[];
  };
}

export const goldenVectors: GoldenVector[] = JSON.parse(
  fs.readFileSync(path.join(root, 'test/fixtures/golden/libcamera-vectors.json'), 'utf8'),
);

/** The bytes ts-ipa must produce: libcamera's, with its uninitialised bytes zeroed. */
export function expectedHex(v: GoldenVector): string {
  return v.hex_dont_care_zeroed ?? v.hex;
}

/** Children of this process that are alive (IPA worker processes, say). */
export function liveChildren(): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(ppid) === process.pid && state !== 'Z';
    } catch {
      return false;
    }
  }).map(Number);
}

export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}
