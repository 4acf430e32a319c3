import { Writer } from '../codec/writer';
import type { ControlSerializer } from '../controls/serializer';
import { native } from '../native';
import { readMessage, writeMessageHeader, type IPCMessage } from './message';
import { BATCH_CMD, EXIT_CMD, FAREWELL_EVENT, HELLO_EVENT, TS_IPA_PROXY_ENV } from './call-pipe';
import { IPCUnixSocket } from './unix-socket';

export interface WorkerHandlers {
  /** A call or a one-way message (the handler owns its fds). */
  onMessage(message: IPCMessage): void;
  /** The proxy sent Exit: the socket is closed already. */
  onExit(): void;
  onError(error: Error): void;
}

/**
 * The worker end of a pipe (libcamera's generated worker loop, the transport part): receives
 * calls, replies with the call's cmd and cookie, sends events with cookie 0, leaves on Exit.
 */
export class IPCWorkerEndpoint {
  private readonly socket: IPCUnixSocket;
  private readonly writer: Writer;
  /** The proxy said it speaks ts-ipa's extensions (it sent BATCH_CMD, or started this worker saying so). */
  private peerIsTsIpa = process.env[TS_IPA_PROXY_ENV] === '1';

  /** Takes ownership of the socket fd the worker was started with. */
  constructor(fd: number, handlers: WorkerHandlers, controls?: ControlSerializer) {
    this.writer = new Writer(controls);
    this.socket = new IPCUnixSocket(fd, {
      onMessage: (payload, fds) => {
        let message: IPCMessage;
        try {
          message = readMessage(payload, fds);
        } catch (error) {
          for (const received of fds) native().close(received);
          handlers.onError(error as Error);
          return;
        }
        if (message.cmd === BATCH_CMD) {
          this.peerIsTsIpa = true;
          this.socket.enableBatching();
          return;
        }
        if (message.cmd === EXIT_CMD) {
          for (const received of fds) native().close(received);
          this.socket.close();
          handlers.onExit();
          return;
        }
        handlers.onMessage(message);
      },
      onError: (error) => handlers.onError(error),
    });
  }

  /** The serializer for ControlLists and ControlInfoMaps in replies and events. */
  useControls(controls: ControlSerializer): void {
    this.writer.controls = controls;
  }

  /** Answers a call: its cmd and cookie, then what `encode` writes. */
  reply(call: IPCMessage, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.transmit(call.cmd, call.cookie, encode, fds);
  }

  /** Sends an event (cookie 0, as libcamera's workers do). */
  sendEvent(cmd: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.transmit(cmd, 0, encode, fds);
  }

  private transmit(cmd: number, cookie: number, encode: (w: Writer) => void, fds: readonly number[] = []): void {
    const w = this.writer.reset();
    writeMessageHeader(w, cmd, cookie);
    encode(w);
    const message = w.result();
    this.socket.send(message.data, fds.length > 0 ? [...fds, ...message.fds] : message.fds);
  }

  /**
   * Tells a ts-ipa proxy which contract this worker was built from. A libcamera proxy is told
   * nothing: it matches replies by cookie alone, and its first call, init, has cookie 0, which a
   * greeting (event 0, cookie 0) would answer.
   */
  greet(contractHash: string): void {
    if (this.peerIsTsIpa) this.sendEvent(HELLO_EVENT, (w) => w.string(contractHash, 'hello'));
  }

  /**
   * Tells a ts-ipa proxy why this worker is about to exit, and sends it before returning: the
   * process exits next. A libcamera proxy is told nothing (it would not know the event).
   */
  farewell(reason: string): void {
    if (!this.peerIsTsIpa) return;
    try {
      this.transmit(FAREWELL_EVENT, 0, (w) => w.string(reason.slice(0, 500), 'farewell'));
      this.socket.flushNow();
    } catch {
      // the proxy may be gone already: the exit says enough
    }
  }

  close(): void {
    this.socket.close();
  }
}
