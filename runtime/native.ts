/**
 * The native addon (native/): fds, shared memory and Unix datagram sockets with fd passing. Its
 * errors become `SystemError`s with errno, its name and the call. The package ships it prebuilt
 * (native/prebuilds/<platform>-<arch>/, made by prebuildify when packing) beside the sandbox's
 * launcher; where no prebuild fits, the install script (node-gyp-build) compiles both into
 * native/build/Release. node-gyp-build's lookup prefers a compiled addon to a prebuilt one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IPAError } from './errors';

/** A failed system call, or a message the socket framing rejects (code EBADMSG and the like). */
export class SystemError extends IPAError {
  override name = 'SystemError';
  constructor(
    message: string,
    /** The error's name, e.g. EBADF, or EBADMSG for a malformed message. */
    readonly code: string,
    readonly errno: number | undefined,
    readonly syscall: string | undefined,
  ) {
    super(message);
  }
}

export interface NativeBinding {
  close(fd: number): void;
  dup(fd: number): number;
  memfd(name: string, size: number): number;
  mmap(fd: number, offset: number, length: number, writable: boolean): ArrayBuffer;
  /** Unmaps an ArrayBuffer from mmap now and detaches it. */
  munmap(buffer: ArrayBuffer): void;
  fileSize(fd: number): number;
  /** Asks the kernel to SIGKILL this process when its parent ends; false if the parent is already gone. */
  dieWithParent(): boolean;
  /** Closes every fd without close-on-exec (inherited ones) but `keep`; returns how many. */
  closeInheritedFds(keep: readonly number[]): number;
  /** Sets the nice value of every thread of this process but the caller's; returns how many changed. */
  niceOtherThreads(nice: number): number;
  /**
   * Caps this process's memory and priority, drops every capability and confines every thread to
   * reading `readable` (Landlock, where the kernel has it), and installs the worker sandbox's
   * seccomp filter, for good.
   */
  enterSandbox(memoryLimitBytes: number, readable: readonly string[]): { landlockAbi: number };
  /** What of the sandbox this kernel can enforce: its Landlock ABI version (0: none). */
  sandboxSupport(): { landlockAbi: number };
  socketPair(): [number, number];
  /** The socket's SO_SNDBUF: a datagram may hold this less 32 bytes. */
  sendBufferSize(fd: number): number;
  /** 2: sent; 0: the socket is full, nothing sent; 1: header sent, call again with headerSent. */
  sendMessage(fd: number, payload: Uint8Array, fds: readonly number[], headerSent: boolean): 0 | 1 | 2;
  /** Sends queued messages with sendmmsg; returns how many datagrams went (two a message, one when its header went before). */
  sendMessages(fd: number, payloads: readonly Uint8Array[], fdLists: readonly (readonly number[])[], firstHeaderSent: boolean): number;
  /** One datagram as it is (its first `length` bytes, by default all), with its fds; false when the socket is full. */
  sendDatagram(fd: number, bytes: Uint8Array, fds: readonly number[], length?: number): boolean;
  receiveDatagram(fd: number, maxBytes: number): { data: Buffer; fds: number[] } | null;
  SocketWatcher: new (
    fd: number,
    onMessages: (payloads: Uint8Array[], fdLists: number[][]) => void,
    /** A batch datagram (magic, count, then size, fd count, payload each), already checked whole. */
    onBatch: (datagram: Uint8Array, fds: number[]) => void,
    onWritable: () => void,
    onError: (error: Error & { code?: string; errno?: number; syscall?: string }) => void,
    /** A batch datagram of one message: its payload is `received`'s bytes from `at`, there until this returns. */
    onMessage: (at: number, size: number, fds: number[]) => void,
    /** What every datagram is read into (at least 256 KiB; the watcher keeps it). */
    received: Uint8Array,
  ) => { watchWritable(on: boolean): void; setRef(on: boolean): void; close(): void };

  mediaDeviceInfo(fd: number): { driver: string; model: string; serial: string; busInfo: string; mediaVersion: number; hwRevision: number; driverVersion: number };
  mediaTopology(fd: number): {
    version: number;
    entities: { id: number; name: string; function: number; flags: number }[];
    interfaces: { id: number; type: number; flags: number; major: number; minor: number }[];
    pads: { id: number; entityId: number; flags: number; index: number }[];
    links: { id: number; sourceId: number; sinkId: number; flags: number }[];
  };
  mediaSetupLink(fd: number, sourceEntity: number, sourcePad: number, sinkEntity: number, sinkPad: number, flags: number): void;
  subdevFormat(fd: number, pad: number, which: number): MbusFrameFormat;
  subdevSetFormat(fd: number, pad: number, which: number, format: Partial<MbusFrameFormat>): MbusFrameFormat;
  subdevSelection(fd: number, pad: number, which: number, target: number, rectangle?: NativeRectangle): NativeRectangle;
  subdevMbusCodes(fd: number, pad: number, which: number): number[];
  queryControls(fd: number): NativeControlDescription[];
  getControls(fd: number, ids: readonly number[]): NativeControlValue[];
  setControls(fd: number, values: readonly (readonly [number, NativeControlValue])[]): NativeControlValue[];
  queryCapabilities(fd: number): { driver: string; card: string; busInfo: string; version: number; capabilities: number; deviceCaps: number };
  enumFormats(fd: number, type: number, mbusCode?: number): { pixelFormat: number; description: string; flags: number }[];
  enumFrameSizes(fd: number, pixelFormat: number): { minWidth: number; maxWidth: number; stepWidth: number; minHeight: number; maxHeight: number; stepHeight: number }[];
  format(fd: number, type: number): NativeVideoFormat;
  setFormat(fd: number, type: number, format: { width: number; height: number; pixelFormat: number; field?: number; colorspace?: number }, tryOnly: boolean): NativeVideoFormat;
  requestBuffers(fd: number, type: number, memory: number, count: number): number;
  queryBuffer(fd: number, type: number, index: number): { length: number; offset: number }[];
  exportBuffer(fd: number, type: number, index: number, plane: number): number;
  queueBuffer(fd: number, type: number, memory: number, index: number, planes: { bytesUsed?: number; fd?: number; length?: number }[]): void;
  dequeueBuffer(fd: number, type: number, memory: number): { index: number; sequence: number; flags: number; field: number; timestamp: bigint; bytesUsed: number[] } | null;
  streamOn(fd: number, type: number): void;
  streamOff(fd: number, type: number): void;
  metaFormat(fd: number, type: number): { dataFormat: number; bufferSize: number };
  setMetaFormat(fd: number, type: number, dataFormat: number): { dataFormat: number; bufferSize: number };
  subscribeEvent(fd: number, type: number, id: number): void;
  unsubscribeEvent(fd: number, type: number, id: number): void;
  /** The next pending event, or null; frameSequence for a frame sync event, changes and value for a control event. */
  dequeueEvent(fd: number): NativeEvent | null;
  /** Calls onReady while started, each time the node is ready: a capture buffer done (readable), an output buffer done (writable), an event pending (priority). */
  DeviceWatcher: new (fd: number, events: 'readable' | 'writable' | 'priority', onReady: (error?: Error) => void) => { start(): void; stop(): void; close(): void };
}

export interface MbusFrameFormat {
  code: number; width: number; height: number; field: number; colorspace: number; ycbcrEnc: number; quantization: number; xferFunc: number;
}
export interface NativeEvent {
  type: number; id: number; sequence: number; pending: number; timestamp: bigint;
  frameSequence?: number; changes?: number; value?: bigint;
}
export interface NativeRectangle { left: number; top: number; width: number; height: number }
export interface NativeControlDescription {
  id: number; name: string; type: number; minimum: bigint; maximum: bigint; step: bigint; defaultValue: bigint;
  flags: number; elements: number; elementSize: number; menu?: { index: number; name?: string; value?: bigint }[];
}
export type NativeControlValue = number | bigint | string | Uint8Array | Uint16Array | Uint32Array;
export interface NativeVideoFormat {
  width: number; height: number; pixelFormat: number; field: number; colorspace: number; planes: { bytesPerLine: number; size: number }[];
}

let binding: NativeBinding | undefined;

/** The directory node-gyp-build looks in: native/build/Release, then native/prebuilds/<platform>-<arch>. */
const NATIVE_DIR = path.join(__dirname, '../../native');
const COMPILED_DIR = path.join(NATIVE_DIR, 'build/Release');
const LAUNCHER_NAME = 'ts-ipa-launch';
const HOW_TO_BUILD = 'build it for this machine (with python3, make and g++): `npm rebuild ts-ipa` once ts-ipa may run its install script '
  + '(npm 11: `npm install-scripts approve ts-ipa`), or `pnpm approve-builds` choosing ts-ipa; in ts-ipa\'s own tree, `npm install`';

let addonPath: string | undefined;

/** The addon's file: a compiled one in native/build/Release, else the prebuild for this platform. */
export function addonFile(): string {
  if (addonPath === undefined) {
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    try {
      addonPath = nodeGypBuild.path(NATIVE_DIR);
    } catch (error) {
      const found = (error as Error).message.split('\n')[0];
      throw new IPAError(`cannot find ts-ipa's native addon: ${found}, neither prebuilt in ${path.join(NATIVE_DIR, 'prebuilds')} nor compiled in ${COMPILED_DIR}; ${HOW_TO_BUILD}.`);
    }
  }
  return addonPath;
}

/**
 * Loads the addon from `file`, without looking: a sandboxed worker is told where its proxy found
 * it, since node-gyp-build's lookup reads more than the sandbox lets it (/etc/alpine-release).
 */
export function useAddonFile(file: string): void {
  if (binding && addonPath !== file) throw new IPAError(`ts-ipa's native addon is already loaded from ${addonPath}, not ${file}`);
  addonPath = file;
}

/**
 * The launcher a sandboxed worker is started through (native/src/launch.c): beside the addon
 * (node-gyp builds both; packing copies it into the prebuild's directory), else compiled.
 */
export function launcherFile(): string {
  const candidates = [...new Set([path.join(path.dirname(addonFile()), LAUNCHER_NAME), path.join(COMPILED_DIR, LAUNCHER_NAME)])];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new IPAError(`cannot find ts-ipa's sandbox launcher ${LAUNCHER_NAME} (looked in ${candidates.map(path.dirname).join(' and ')}), which process isolation needs; ${HOW_TO_BUILD}.`);
  return found;
}

/** The addon, loaded on first use. */
export function native(): NativeBinding {
  if (!binding) {
    const file = addonFile();
    try {
      binding = require(file) as NativeBinding;
    } catch (error) {
      throw new IPAError(`cannot load ts-ipa's native addon (${file}): ${(error as Error).message}; ${HOW_TO_BUILD}.`);
    }
  }
  return binding;
}

/** Turns an error the addon threw into a SystemError; anything else passes through. */
export function systemError(error: unknown): unknown {
  const e = error as Error & { code?: string; errno?: number; syscall?: string };
  if (e instanceof Error && typeof e.code === 'string' && !(e instanceof SystemError)) {
    return new SystemError(e.message, e.code, e.errno, e.syscall);
  }
  return error;
}

/** Calls the addon, rethrowing its errors as SystemErrors. */
export function sys<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw systemError(error);
  }
}
