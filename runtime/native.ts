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
  fileSize(fd: number): number;
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
}

let binding: NativeBinding | undefined;

/** The addon, loaded on first use. */
export function native(): NativeBinding {
  if (!binding) {
    const file = path.join(__dirname, '../../native/build/Release/ts_ipa_native.node');
    try {
      binding = require(file) as NativeBinding;
    } catch (error) {
      throw new IPAError(`cannot load ts-ipa's native addon (${file}): ${(error as Error).message}. It is built by \`npm install\` (node-gyp, python3, make and g++).`);
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
