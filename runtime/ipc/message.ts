import { DeserializeError } from '../errors';
import type { Writer } from '../codec/writer';

/**
 * libcamera's IPCMessage: a command, a cookie and the serialized data, with fds beside it. On the
 * wire the payload is `u32 cmd, u32 cookie`, then the data.
 */
export interface IPCMessage {
  cmd: number;
  cookie: number;
  data: Uint8Array;
  fds: number[];
}

export const MESSAGE_HEADER_BYTES = 8;

/** Starts a message in a writer: its header first, then the caller encodes the data. */
export function writeMessageHeader(w: Writer, cmd: number, cookie: number): void {
  w.u32(cmd, 'IPCMessage.cmd');
  w.u32(cookie, 'IPCMessage.cookie');
}

/** Splits a received payload into its header and data. */
export function readMessage(payload: Uint8Array, fds: number[]): IPCMessage {
  if (payload.length < MESSAGE_HEADER_BYTES) {
    throw new DeserializeError('IPCMessage', `a message of ${payload.length} bytes has no 8-byte header`);
  }
  const p = payload;
  const cmd = (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0;
  const cookie = (p[4]! | (p[5]! << 8) | (p[6]! << 16) | (p[7]! << 24)) >>> 0;
  return { cmd, cookie, data: payload.subarray(MESSAGE_HEADER_BYTES), fds };
}
