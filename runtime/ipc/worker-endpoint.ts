import type { ControlSerializer } from '../controls/serializer';
import type { Writer } from '../codec/writer';
import { checkMessageHeader, MessageFramer, messageCmd, messageCookie, ReceivedMessage } from './message';
import { BATCH_CMD, EXIT_CMD, FAREWELL_EVENT, HELLO_EVENT, type IPCMessage } from './protocol';
import { closeReceived } from './received-fds';
import type { OpenTransport, Transport } from './transport';

export interface WorkerHandlers {
  /** A call or a one-way message (the handler owns its fds). */
  onMessage(message: ReceivedMessage): void;
  /** The proxy sent Exit: the transport is closed already. */
  onExit(): void;
  onError(error: Error): void;
}

export interface WorkerEndpointOptions {
  /** Serializes the ControlLists and ControlInfoMaps of replies and events (the worker's, role Worker). */
  controls?: ControlSerializer;
  /** The proxy said it is ts-ipa's (it started the worker saying so, or it is a thread's): it is greeted, and told farewell. */
  tsIpaProxy?: boolean;
}

/**
 * The worker end of a pipe (libcamera's generated worker loop, the transport part), over a
 * socket or a thread's port: receives calls, replies with the call's cmd and cookie, sends events
 * with cookie 0, leaves on Exit.
 */
export class IPCWorkerEndpoint {
  private readonly transport: Transport;
  private readonly framer: MessageFramer;
  private tsIpaProxy: boolean;

  /** Takes ownership of the transport `open` opens. */
  constructor(open: OpenTransport, handlers: WorkerHandlers, options: WorkerEndpointOptions = {}) {
    this.framer = new MessageFramer(options.controls, (payload, fds) => this.transport.send(payload, fds));
    this.tsIpaProxy = options.tsIpaProxy ?? false;
    this.transport = open({
      onMessage: (payload, fds) => {
        try {
          checkMessageHeader(payload);
        } catch (error) {
          closeReceived(fds);
          handlers.onError(error as Error);
          return;
        }
        const message = new ReceivedMessage(messageCmd(payload), messageCookie(payload), payload, fds);
        if (message.cmd === BATCH_CMD) {
          closeReceived(fds);
          this.tsIpaProxy = true;
          this.transport.enableBatching();
          return;
        }
        if (message.cmd === EXIT_CMD) {
          closeReceived(fds);
          this.transport.close();
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
    this.framer.controls = controls;
  }

  /** Answers a call: its cmd and cookie, then what `encode` writes. */
  reply(call: IPCMessage, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.transmit(call.cmd, call.cookie, encode, fds);
  }

  /** Sends an event (cookie 0, as libcamera's workers do). */
  sendEvent(cmd: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.transmit(cmd, 0, encode, fds);
  }

  private transmit(cmd: number, cookie: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.framer.send(cmd, cookie, encode, fds);
  }

  /**
   * Tells a ts-ipa proxy which contract this worker was built from. A libcamera proxy is told
   * nothing: it matches replies by cookie alone, and its first call, init, has cookie 0, which a
   * greeting (event 0, cookie 0) would answer.
   */
  greet(contractHash: string): void {
    if (this.tsIpaProxy) this.sendEvent(HELLO_EVENT, (w) => w.string(contractHash, 'hello'));
  }

  /**
   * Tells a ts-ipa proxy why this worker is about to exit, and sends it before returning: the
   * process exits next. A libcamera proxy is told nothing (it would not know the event).
   */
  farewell(reason: string): void {
    if (!this.tsIpaProxy) return;
    try {
      this.transmit(FAREWELL_EVENT, 0, (w) => w.string(reason.slice(0, 500), 'farewell'));
      this.transport.flushNow();
    } catch {
      // the proxy may be gone already: the exit says enough
    }
  }

  close(): void {
    this.transport.close();
  }
}
