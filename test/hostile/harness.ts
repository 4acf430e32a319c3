/**
 * What every hostile-IPA test shares. An attack is a module written as an attacker would ship it:
 * an unsigned directory with a manifest and plain JavaScript, found by the real IPAManager through
 * TS_IPA_MODULE_PATH and run where an untrusted module runs, in a process under the default
 * sandbox. After each attack the pipeline handler (this process) must still be alive, answer, and
 * hold no more fds, child processes or memory than before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'vitest';
import { liveChildren, openFds, root, runtime } from '../support';

/** Files the attacker's JavaScript may require by absolute path (the sandbox lets it read them). */
export const paths = {
  runtime: path.join(root, 'dist/runtime/index.js'),
  addon: path.join(root, 'native/build/Release/ts_ipa_native.node'),
  vimcContract: path.join(root, 'dist/platforms/vimc/contract.js'),
  probeContract: path.join(root, 'dist/test/contracts/sandbox-probe-contract.js'),
  stubVimcModule: path.join(root, 'dist/test/contracts/vimc-stub-ipa.js'),
};

/**
 * The worker's socket is fd 3. These lines, put at the top of a module's source, give it `raw`:
 * the addon's functions to send datagrams of its own choosing on that socket, bypassing the
 * worker host's encoder, as hostile native code in the module could.
 */
export const RAW_SOCKET = `
const raw = require(${JSON.stringify(paths.addon)});
const SOCKET = 3;
`;

/**
 * RAW_SOCKET and helpers to build what goes on it, for modules that forge messages:
 * `frame(cmd, cookie, data)` is a message payload (u32 cmd, u32 cookie, data), `batch(payloads,
 * fdCounts)` a ts-ipa batch datagram holding them, `sendFramed(payload, fds)` sends a payload in
 * libcamera's framing (header datagram, then payload and fds) and `sendRaw(datagram, fds)` one
 * datagram as it is; both retry while the socket is full (the proxy reads as fast as it can).
 */
export const RAW_FRAMING = `${RAW_SOCKET}
const u32le = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const frame = (cmd, cookie, data = []) => Buffer.concat([u32le(cmd), u32le(cookie), Buffer.from(data)]);
const batch = (payloads, fdCounts = []) => Buffer.concat([u32le(0x42504954), u32le(payloads.length),
  ...payloads.flatMap((p, i) => [u32le(p.length), u32le(fdCounts[i] ?? 0), p])]);
function sendFramed(payload, fds = []) {
  let headerSent = false;
  for (;;) {
    const sent = raw.sendMessage(SOCKET, payload, fds, headerSent);
    if (sent === 2) return;
    if (sent === 1) headerSent = true;
  }
}
function sendRaw(datagram, fds = []) { while (!raw.sendDatagram(SOCKET, datagram, fds)) {} }
`;

export interface ModuleSpec {
  /** The pipeline the module says it serves (default "vimc"). */
  pipeline?: string;
  /** The entry's JavaScript source. */
  entry: string;
  /** More files, by relative path: their contents (listed in the manifest unless `unlisted`). */
  files?: Record<string, string>;
  unlisted?: readonly string[];
  /** Extra work on the directory once written: links, FIFOs, anything a manifest cannot say. */
  prepare?: (directory: string) => void;
}

/** A scratch directory for one test file's modules; removed by `cleanup`. */
export function scratch(prefix: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ts-ipa-hostile-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an unsigned module `name` under `parent`; returns its directory. */
export function writeModule(parent: string, name: string, spec: ModuleSpec): string {
  const directory = path.join(parent, name);
  fs.mkdirSync(directory, { recursive: true });
  const files = { 'index.js': spec.entry, ...spec.files };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    fs.writeFileSync(path.join(directory, file), text);
  }
  const listed = Object.keys(files).filter((file) => !spec.unlisted?.includes(file));
  const manifest = { name, pipeline: spec.pipeline ?? 'vimc', version: 0, apiVersion: 1, entry: 'index.js', files: listed };
  fs.writeFileSync(path.join(directory, 'ipa-module.json'), JSON.stringify(manifest));
  spec.prepare?.(directory);
  return directory;
}

/** A manager that sees only the modules under `moduleRoot` (and trusts no key but `trustedKeys`). */
export function managerFor(moduleRoot: string, options: { trustedKeys?: string[]; log?: (m: string) => void } = {}): runtime.IPAManager {
  return new runtime.IPAManager({
    env: { [runtime.MODULE_PATH_ENV]: moduleRoot },
    builtInPaths: [],
    trustProjectKey: false,
    trustedKeys: options.trustedKeys,
    log: options.log ?? (() => {}),
  });
}

let collect: (() => void) | undefined;
/** A full garbage collection, so that heap figures mean what is kept, not what is waiting. */
export function collectGarbage(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

export interface Baseline {
  fds: number;
  children: number;
  heapBytes: number;
}

/** What the pipeline handler holds now: compare after the attack with `expectUnharmed`. */
export function baseline(): Baseline {
  collectGarbage();
  return { fds: openFds(), children: liveChildren().length, heapBytes: process.memoryUsage().heapUsed };
}

/**
 * The pipeline handler came through: within `settleMs` its fd and child-process counts are back
 * to the baseline, its heap is within `heapSlackMb` of it, and it still runs an IPA: a
 * well-behaved one in a fresh process answers init.
 */
export async function expectUnharmed(before: Baseline, options: { settleMs?: number; heapSlackMb?: number } = {}): Promise<void> {
  const settleMs = options.settleMs ?? 10_000;
  const deadline = Date.now() + settleMs;
  for (;;) {
    const now = { fds: openFds(), children: liveChildren().length };
    if ((now.fds <= before.fds && now.children <= before.children) || Date.now() > deadline) {
      expect(now, 'fds and child processes after the attack').toEqual({ fds: before.fds, children: before.children });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  collectGarbage();
  const grownMb = (process.memoryUsage().heapUsed - before.heapBytes) / (1024 * 1024);
  expect(grownMb, 'heap growth in MiB').toBeLessThan(options.heapSlackMb ?? 32);
  await expectAnswers();
}

/** A well-behaved IPA, in its own sandboxed process, still answers: the handler is not wedged. */
export async function expectAnswers(): Promise<void> {
  const { IPAVimcInterface } = require(paths.vimcContract) as typeof import('../../dist/platforms/vimc/contract.js');
  const ipa = await runtime.createProxy(IPAVimcInterface, { module: paths.stubVimcModule, isolation: 'process', timeoutMs: 10_000 });
  try {
    const reply = await ipa.init({ configurationFile: '', sensorModel: 'Sensor B' }, runtime.SharedFD.invalid, 0, 2);
    expect(reply.ret).toBe(0);
  } finally {
    await ipa.close();
  }
}

/**
 * The source of a vimc IPA module that behaves like the do-nothing stub, for an attack to change:
 * `prelude` runs when the module loads (inside the sandbox), `methods` are object-literal members
 * (source) that replace the stub's. The IPA's event senders are `events` inside the methods.
 */
export function vimcModule(options: { prelude?: string; methods?: string } = {}): string {
  return `'use strict';
const { defineIPA } = require(${JSON.stringify(paths.runtime)});
const { IPAVimcInterface } = require(${JSON.stringify(paths.vimcContract)});
${options.prelude ?? ''}
module.exports.default = defineIPA(IPAVimcInterface, (events) => ({
  init: (_settings, _traceFd, _code, inFlags) => ({ ret: 0, outFlags: inFlags }),
  configure: () => 0,
  start: () => 0,
  stop() {},
  mapBuffers() {},
  unmapBuffers() {},
  queueRequest() {},
  computeParams() {},
  ${options.methods ?? ''}
}));
`;
}
