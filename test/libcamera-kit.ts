/**
 * The prebuilt C++ libcamera kit (../shared/libcamera) in tests: its driver, its workers, and
 * the wire of a vimc session read from what the driver prints (`--wire`) or what
 * fixtures/wire-tap.js records, with the bytes libcamera leaves uninitialised zeroed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, runtime } from './support';

const kitCandidates = [process.env.TS_IPA_LIBCAMERA_KIT, path.join(root, '../shared/libcamera'), '/work/shared/libcamera'].filter(Boolean) as string[];
export const kit = kitCandidates.find((dir) => fs.existsSync(path.join(dir, 'bin/lc-ipa-driver')));
export const kitMissing = `lc-ipa-driver not found in ${kitCandidates.join(', ')}: set TS_IPA_LIBCAMERA_KIT to the kit's directory`;

/** One message on the wire: its payload (cmd, cookie, data) and how many fds came with it. */
export interface WireMessage {
  dir: 'pipeline->ipa' | 'ipa->pipeline';
  hex: string;
  fds: number;
}

export function driver(...args: string[]): { lines: Record<string, unknown>[]; output: string } {
  const run = spawnSync(path.join(kit!, 'bin/lc-ipa-driver'), args, { encoding: 'utf8', timeout: 120_000 });
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, output: `exit ${run.status ?? run.signal}\n${run.stdout}\n${run.stderr}` };
}

/** The messages of a driver run with `--wire`, in order; each header datagram checked against its payload. */
export function driverWire(lines: Record<string, unknown>[]): WireMessage[] {
  const messages: WireMessage[] = [];
  let header: Record<string, unknown> | undefined;
  for (const line of lines.filter((l) => l.wire !== undefined)) {
    if (line.datagram === 'header') {
      header = line;
      continue;
    }
    const hex = line.hex as string;
    // libcamera's framing: {u32 payload bytes, u8 fd count, 3 bytes padding (zeroed)}.
    const expected = Buffer.alloc(8);
    expected.writeUInt32LE(hex.length / 2, 0);
    expected.writeUInt8(line.fds as number, 4);
    if (header?.hex !== expected.toString('hex')) throw new Error(`datagram header ${String(header?.hex)} does not frame payload ${hex.slice(0, 32)}… (${line.fds as number} fds)`);
    header = undefined;
    messages.push({ dir: line.wire as WireMessage['dir'], hex, fds: line.fds as number });
  }
  return messages;
}

export function tapWire(log: string): WireMessage[] {
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as WireMessage);
}

const HEADER_BYTES = 32;
const LIST_ENTRY_BYTES = 20;
const INFO_ENTRY_BYTES = 64;

interface Packet { at: number; entries: number; size: number; dataOffset: number; entryBytes: number }

/**
 * Visits each ControlSerializer packet found in `bytes`, which `visit` may change past the
 * packet's first 24 bytes. A packet is recognised by its header: its version, a data offset that
 * is exactly its entries' end, a size that fits.
 */
function forEachPacket(bytes: Buffer, visit: (packet: Packet) => void): void {
  for (let at = 0; at + HEADER_BYTES <= bytes.length;) {
    const entries = bytes.readUInt32LE(at + 8);
    const size = bytes.readUInt32LE(at + 12);
    const dataOffset = bytes.readUInt32LE(at + 16);
    const entryBytes = entries > 0 ? (dataOffset - HEADER_BYTES) / entries : 0;
    const isPacket = bytes.readUInt32LE(at) === runtime.CONTROL_PACKET_VERSION && entries > 0 && entries < 4096
      && (entryBytes === LIST_ENTRY_BYTES || entryBytes === INFO_ENTRY_BYTES)
      && size >= dataOffset && at + size <= bytes.length && bytes.readUInt32LE(at + 20) <= 2;
    if (!isPacket) {
      at++;
      continue;
    }
    visit({ at, entries, size, dataOffset, entryBytes });
    at += size;
  }
}

/**
 * The bytes with every range libcamera leaves uninitialised zeroed (see the golden vectors'
 * `dont_care`): in each ControlSerializer packet found in them, the header's reserved[2], each
 * list entry's reserved[2], and each info entry's padding[7] and its min, max and default
 * entries' reserved[2].
 */
export function zeroUninitialised(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  forEachPacket(bytes, ({ at, dataOffset, entryBytes }) => {
    bytes.fill(0, at + 24, at + 32);
    for (let e = at + HEADER_BYTES; e < at + dataOffset; e += entryBytes) {
      if (entryBytes === LIST_ENTRY_BYTES) bytes.fill(0, e + 12, e + 20);
      else for (const [from, to] of [[9, 16], [24, 32], [40, 48], [56, 64]] as const) bytes.fill(0, e + from, e + to);
    }
  });
  return bytes.toString('hex');
}

/**
 * The bytes with libcamera's garbage zeroed (zeroUninitialised) and every ControlSerializer
 * packet's entries in ascending id order, each entry's data moved along with it: libcamera
 * lists a packet's entries in its hash maps' iteration order, which for a ControlInfoMap (keyed
 * by ControlId address) no other process reproduces.
 */
export function entryOrderFree(hex: string): string {
  const bytes = Buffer.from(zeroUninitialised(hex), 'hex');
  forEachPacket(bytes, ({ at, entries, size, dataOffset, entryBytes }) => {
    // A list entry's one value entry sits at 4, an info entry's min, max and def at 16, 32, 48;
    // each holds its data's offset 4 bytes in. Data follows the entries, in their order.
    const values = entryBytes === LIST_ENTRY_BYTES ? [4] : [16, 32, 48];
    const data = at + dataOffset;
    const parsed = Array.from({ length: entries }, (_, i) => {
      const entry = Buffer.from(bytes.subarray(at + HEADER_BYTES + i * entryBytes, at + HEADER_BYTES + (i + 1) * entryBytes));
      return { id: entry.readUInt32LE(0), entry, from: entry.readUInt32LE(values[0]! + 4) };
    });
    const chunks = new Map(parsed.map((e, i) => [e, bytes.subarray(data + e.from, data + (parsed[i + 1]?.from ?? size - dataOffset))]));
    const sorted = [...parsed].sort((a, b) => a.id - b.id);
    let offset = 0;
    const laidOut = sorted.map((e) => {
      for (const v of values) e.entry.writeUInt32LE(e.entry.readUInt32LE(v + 4) - e.from + offset, v + 4);
      offset += chunks.get(e)!.length;
      return chunks.get(e)!;
    });
    Buffer.concat([...sorted.map((e) => e.entry), ...laidOut]).copy(bytes, at + HEADER_BYTES);
  });
  return bytes.toString('hex');
}

/** A message as compared: its direction, cmd and cookie, its bytes with libcamera's garbage zeroed, its fd count. */
export function comparable(m: WireMessage): string {
  const b = Buffer.from(m.hex, 'hex');
  return `${m.dir} cmd ${b.readUInt32LE(0)} cookie ${b.readUInt32LE(4)} fds ${m.fds}: ${zeroUninitialised(m.hex)}`;
}

/** Processes whose environment carries `NAME=value`: the workers a test left running, if any. */
export function processesMarked(name: string, value: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${name}=${value}`);
    } catch {
      return false;
    }
  }).map(Number);
}
