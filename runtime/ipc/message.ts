import { Writer } from '../codec/writer';
import type { ControlSerializer } from '../controls/serializer';
import { DeserializeError } from '../errors';
import { MESSAGE_HEADER_BYTES, type IPCMessage } from './protocol';

/** Where a framer hands each framed message: its bytes are the framer's again once it returns. */
export type FramedSink = (payload: Uint8Array, fds: readonly number[]) => void;

const NO_FDS: readonly number[] = [];

/**
 * Frames messages for either end: the header (cmd, cookie), then what the caller encodes, with
 * the fds it passes first and those the data carries after. One writer, reused: a message is
 * handed to the transport before the next is framed.
 */
export class MessageFramer {
  private readonly writer: Writer;

  constructor(
    controls: ControlSerializer | undefined,
    /** Where send() hands the messages (the transport). */
    private readonly sink: FramedSink,
  ) {
    this.writer = new Writer(controls);
  }

  /** The serializer for the ControlLists and ControlInfoMaps in the data. */
  set controls(controls: ControlSerializer | undefined) {
    this.writer.controls = controls;
  }

  /** Frames a message and hands it to the sink, with no object to hold its bytes and fds on the way. */
  send(cmd: number, cookie: number, encode: (w: Writer) => void, fds: readonly number[] = NO_FDS): void {
    const w = this.writer.reset();
    writeMessageHeader(w, cmd, cookie);
    encode(w);
    this.sink(w.written(), fds.length > 0 ? [...fds, ...w.fds] : w.fds);
  }
}

/** Starts a message in a writer: its header first, then the caller encodes the data. */
export function writeMessageHeader(w: Writer, cmd: number, cookie: number): void {
  w.u32(cmd, 'IPCMessage.cmd');
  w.u32(cookie, 'IPCMessage.cookie');
}

/** Throws unless a received payload holds a message header. */
export function checkMessageHeader(payload: Uint8Array): void {
  if (payload.length < MESSAGE_HEADER_BYTES) {
    throw new DeserializeError('IPCMessage', `a message of ${payload.length} bytes has no 8-byte header`);
  }
}

/** A received message's command (checked by checkMessageHeader first). */
export function messageCmd(payload: Uint8Array): number {
  return headerWord(payload, 0);
}

/** A received message's cookie (checked by checkMessageHeader first). */
export function messageCookie(payload: Uint8Array): number {
  return headerWord(payload, 4);
}

// Byte by byte, not through a DataView: this runs for every message, and a view is an object.
function headerWord(payload: Uint8Array, at: number): number {
  return (payload[at]! | (payload[at + 1]! << 8) | (payload[at + 2]! << 16) | (payload[at + 3]! << 24)) >>> 0;
}

/**
 * A received message that keeps its payload whole, header included, to be read in place (a
 * Reader from MESSAGE_HEADER_BYTES): its data is a view made only when asked for, since a view
 * of a small payload, which lives on V8's heap, costs it a new ArrayBuffer.
 */
export class ReceivedMessage implements IPCMessage {
  constructor(
    readonly cmd: number,
    readonly cookie: number,
    /** The whole payload: the header, then the data. */
    readonly payload: Uint8Array,
    readonly fds: number[],
  ) {}

  get data(): Uint8Array {
    return this.payload.subarray(MESSAGE_HEADER_BYTES);
  }
}

/** Splits a received payload into its header and data. */
export function readMessage(payload: Uint8Array, fds: number[]): IPCMessage {
  checkMessageHeader(payload);
  return { cmd: messageCmd(payload), cookie: messageCookie(payload), data: payload.subarray(MESSAGE_HEADER_BYTES), fds };
}
