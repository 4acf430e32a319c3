import { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import type { ContractCodec } from '../contract';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { UnknownCommandError } from '../errors';
import type { IPCMessage } from '../ipc/protocol';
import type { MethodModel } from '../model';
import { Fifo } from '../fifo';
import { native } from '../native';

/** How a dispatcher answers: a reply to a call, or an event. */
export interface Replies {
  /** `encode(w, value)` writes the reply (a generated encoder and the IPA's result: no closure a call). */
  reply<V>(call: IPCMessage, encode: (w: Writer, value: V) => void, value: V): void;
  sendEvent(cmd: number, encode: (w: Writer) => void): void;
}

/**
 * The worker side of a contract, whatever carries the messages: decodes each call, invokes the
 * IPA through the generated dispatch, and sends the reply. Calls run one at a time in the order
 * they came, an asynchronous one finishing before the next starts, as in libcamera's worker.
 */
export class Dispatcher {
  private readonly methods: Map<number, MethodModel>;
  private readonly queue = new Fifo<IPCMessage>();
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
    this.methods = new Map(codec.model.interface!.methods.map((m) => [m.cmd, m]));
  }

  receive(message: IPCMessage): void {
    if (this.failed) return this.closeFds(message);
    this.queue.push(message);
    if (!this.running) this.run();
  }

  /**
   * Runs the queued calls. Synchronous while the IPA's methods are (the per-frame path allocates
   * no promise); a method that returns a promise finishes before the next call starts.
   */
  private run(): void {
    this.running = true;
    while (this.queue.length > 0) {
      const message = this.queue.shift()!;
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
  private execute(message: IPCMessage): Promise<void> | undefined {
    const method = this.methods.get(message.cmd);
    if (!method) {
      this.closeFds(message);
      this.failWith(new UnknownCommandError(this.codec.model.interface!.name, message.cmd), 'dispatch');
      return undefined;
    }
    let result: unknown;
    try {
      if (method.resetsControls) this.controls.reset();
      const r = new Reader(message.data, message.fds, this.controls);
      result = this.codec.dispatch(this.ipa, message.cmd, r);
      r.expectEnd(method.name);
    } catch (error) {
      this.closeFds(message);
      this.failWith(error, method.name);
      return undefined;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => this.answer(message, method, value),
        (error) => {
          this.closeFds(message);
          this.failWith(error, method.name);
        },
      );
    }
    this.answer(message, method, result);
    return undefined;
  }

  private answer(message: IPCMessage, method: MethodModel, result: unknown): void {
    try {
      if (method.kind === 'call') {
        this.replies.reply(message, this.codec.methods[method.name]!.encodeResult as (w: Writer, value: unknown) => void, result);
      }
    } catch (error) {
      this.failWith(error, method.name);
    } finally {
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
