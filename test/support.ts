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
