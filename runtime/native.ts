/**
 * The native addon (native/, built by node-gyp at `npm install`): fds, shared memory and Unix
 * datagram sockets with fd passing. Its errors become `SystemError`s with errno, its name and the
 * call.
 */
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
  /** 2: sent; 0: the socket is full, nothing sent; 1: header sent, call again with headerSent. */
  sendMessage(fd: number, payload: Uint8Array, fds: readonly number[], headerSent: boolean): 0 | 1 | 2;
  /** Sends queued messages with sendmmsg; returns how many datagrams went (two a message, one when its header went before). */
  sendMessages(fd: number, payloads: readonly Uint8Array[], fdLists: readonly (readonly number[])[], firstHeaderSent: boolean): number;
  /** One datagram as it is, with its fds; false when the socket is full. */
  sendDatagram(fd: number, bytes: Uint8Array, fds: readonly number[]): boolean;
  receiveDatagram(fd: number, maxBytes: number): { data: Buffer; fds: number[] } | null;
  SocketWatcher: new (
    fd: number,
    onMessages: (payloads: Uint8Array[], fdLists: number[][]) => void,
    /** A batch datagram (magic, count, then size, fd count, payload each), already checked whole. */
    onBatch: (datagram: Uint8Array, fds: number[]) => void,
    onWritable: () => void,
    onError: (error: Error & { code?: string; errno?: number; syscall?: string }) => void,
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
  DeviceWatcher: new (fd: number, onReady: (error?: Error) => void) => { start(): void; stop(): void; close(): void };
}

export interface MbusFrameFormat {
  code: number; width: number; height: number; field: number; colorspace: number; ycbcrEnc: number; quantization: number; xferFunc: number;
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

/** Where the addon is built. */
export const ADDON_FILE = path.join(__dirname, '../../native/build/Release/ts_ipa_native.node');
/** The launcher a sandboxed worker is started through (native/src/launch.c), built beside the addon. */
export const LAUNCHER_FILE = path.join(path.dirname(ADDON_FILE), 'ts-ipa-launch');

/** The addon, loaded on first use. */
export function native(): NativeBinding {
  if (!binding) {
    try {
      binding = require(ADDON_FILE) as NativeBinding;
    } catch (error) {
      throw new IPAError(`cannot load ts-ipa's native addon (${ADDON_FILE}): ${(error as Error).message}. It is built by \`npm install\` (node-gyp, python3, make and g++).`);
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
