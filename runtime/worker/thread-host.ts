/**
 * The ts-ipa worker host for thread mode: the same dispatch as the process host, over the
 * thread's port. Started by ThreadPipe with the module path in workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Writer } from '../codec/writer';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { EXIT_CMD, HELLO_EVENT } from '../ipc/call-pipe';
import { readMessage, writeMessageHeader, type IPCMessage } from '../ipc/message';
import type { PortMessage } from '../ipc/thread-pipe';
import { native } from '../native';
import { loadIPAModule } from '../proxy/module';
import { Dispatcher, type Replies } from './dispatcher';

function main(port: NonNullable<typeof parentPort>, modulePath: string): void {
  const die = (error: unknown, during: string): never => {
    // Thrown out of the thread: ThreadPipe reports it as the crash's reason.
    throw new Error(`ts-ipa worker thread (${modulePath}): ${during}: ${(error as Error)?.message ?? error}`);
  };
  const { module, codec } = loadIPAModule(modulePath);
  const controls = new ControlSerializer(ControlSerializerRole.Worker);
  const writer = new Writer(controls);
  const post = (cmd: number, cookie: number, encode: (w: Writer) => void): void => {
    const w = writer.reset();
    writeMessageHeader(w, cmd, cookie);
    encode(w);
    const { data, fds } = w.take();
    port.postMessage({ payload: data.buffer as ArrayBuffer, fds: fds.map((fd) => native().dup(fd)) } satisfies PortMessage, [data.buffer as ArrayBuffer]);
  };
  const replies: Replies = {
    reply: (call: IPCMessage, encode) => post(call.cmd, call.cookie, encode),
    sendEvent: (cmd, encode) => post(cmd, 0, encode),
  };
  replies.sendEvent(HELLO_EVENT, (w) => w.string(codec.model.hash, 'hello'));
  const ipa = module.create(codec.eventSenders((cmd, _name, encode) => replies.sendEvent(cmd, encode)) as never);
  const dispatcher = new Dispatcher(codec, ipa, replies, (error, during) => setImmediate(() => die(error, during)), controls);
  port.on('message', (message: PortMessage) => {
    const call = readMessage(new Uint8Array(message.payload), message.fds);
    if (call.cmd === EXIT_CMD) {
      port.close();
      return;
    }
    dispatcher.receive(call);
  });
}

if (parentPort) main(parentPort, (workerData as { modulePath: string }).modulePath);
