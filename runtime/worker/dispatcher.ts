import { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import type { ContractCodec } from '../contract';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { UnknownCommandError } from '../errors';
import type { ReceivedMessage } from '../ipc/message';
import { MESSAGE_HEADER_BYTES, type IPCMessage } from '../ipc/protocol';
import type { MethodModel } from '../model';
import { Fifo } from '../fifo';
import { native } from '../native';

const NO_BYTES = new Uint8Array(0);
const NO_FDS: readonly number[] = [];

/** How a dispatcher answers: a reply to a call, or an event. */
export interface Replies {
  reply(call: IPCMessage, encode: (w: Writer) => void): void;
  sendEvent(cmd: number, encode: (w: Writer) => void): void;
}

interface Method {
  model: MethodModel;
  /** Writes the reply of a call (not of a one-way call): the generated encoder, with the result being answered. */
  encodeReply: ((w: Writer) => void) | undefined;
}

/**
 * The worker side of a contract, whatever carries the messages: decodes each call, invokes the
 * IPA through the generated dispatch, and sends the reply. Calls run one at a time in the order
 * they came, an asynchronous one finishing before the next starts, as in libcamera's worker.
 */
export class Dispatcher {
  private readonly methods: Map<number, Method>;
  /** Decodes every call, one after another (see Reader.reset). */
  private readonly reader: Reader;
  /** The result a reply encoder writes, while it is being answered (see replyEncoder). */
  private answering: unknown = undefined;
  private readonly queue = new Fifo<ReceivedMessage>();
  private running = false;
  /**
   * Set once `fail` was called. A process ends in it; a thread ends a turn later, and the calls
   * queued behind the failed one must not run meanwhile, or a thread would answer calls a
   * process never gets to.
   */
  private failed = false;

  constructor(
    private readonly codec: ContractCodec,
    private readonly ipa: unknown,
    private readonly replies: Replies,
    /** An IPA that throws, or a message that does not decode, ends the worker: said here. */
    private readonly fail: (error: unknown, during: string) => void,
    readonly controls = new ControlSerializer(ControlSerializerRole.Worker),
  ) {
    this.reader = new Reader(NO_BYTES, NO_FDS, controls);
    this.methods = new Map(codec.model.interface!.methods.map((model) => [model.cmd, {
      model,
      encodeReply: model.kind === 'call' ? this.replyEncoder(codec.methods[model.name]!.encodeResult) : undefined,
    }]));
  }

  /**
   * One function a method, made once, that encodes whatever result is being answered: a closure
   * made for each reply to bind the result to its encoder would be the worker's biggest object
   * a call. The reply is encoded before reply() returns, so the result is read right away.
   */
  private replyEncoder(encodeResult: (w: Writer, result: never) => void): (w: Writer) => void {
    return (w) => encodeResult(w, this.answering as never);
  }

  receive(message: ReceivedMessage): void {
    if (this.failed) return this.closeFds(message);
    // Calls wait in the queue only while one runs; one that finds none running runs at once.
    if (this.running) this.queue.push(message);
    else this.run(message);
  }

  /**
   * Runs `first`, then the queued calls. Synchronous while the IPA's methods are (the per-frame
   * path allocates no promise); a method that returns a promise finishes before the next call
   * starts.
   */
  private run(first?: ReceivedMessage): void {
    this.running = true;
    for (let message = first ?? this.queue.shift(); message; message = this.queue.shift()) {
      if (this.failed) {
        this.closeFds(message);
        continue;
      }
      const pending = this.execute(message);
      if (pending) {
        void pending.then(() => this.run());
        return;
      }
    }
    this.running = false;
  }

  /** One call; a promise when the IPA's method returned one, settled once it is answered. */
  private execute(message: ReceivedMessage): Promise<void> | undefined {
    const entry = this.methods.get(message.cmd);
    if (!entry) {
      this.closeFds(message);
      this.failWith(new UnknownCommandError(this.codec.model.interface!.name, message.cmd), 'dispatch');
      return undefined;
    }
    const method = entry.model;
    let result: unknown;
    const r = this.reader.reset(message.payload, message.fds, MESSAGE_HEADER_BYTES);
    try {
      if (method.resetsControls) this.controls.reset();
      result = this.codec.dispatch(this.ipa, message.cmd, r);
      r.expectEnd(method.name);
    } catch (error) {
      this.closeFds(message);
      this.failWith(error, method.name);
      return undefined;
    } finally {
      // Holds on to no call until the next.
      r.reset(NO_BYTES, NO_FDS);
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => this.answer(message, entry, value),
        (error) => {
          this.closeFds(message);
          this.failWith(error, method.name);
        },
      );
    }
    this.answer(message, entry, result);
    return undefined;
  }

  private answer(message: IPCMessage, { model, encodeReply }: Method, result: unknown): void {
    try {
      if (encodeReply) {
        this.answering = result;
        this.replies.reply(message, encodeReply);
      }
    } catch (error) {
      this.failWith(error, model.name);
    } finally {
      this.answering = undefined;
      this.closeFds(message);
    }
  }

  private failWith(error: unknown, during: string): void {
    this.failed = true;
    this.fail(error, during);
  }

  /** The call's fds were the IPA's while it ran; what it keeps, it duplicated. */
  private closeFds(message: IPCMessage): void {
    for (const fd of message.fds) native().close(fd);
  }
}
