/**
 * The ts-ipa worker host for thread mode: the same dispatch as the process host, over the
 * thread's port. Started by ThreadPipe with the module path in workerData and, for a module the
 * IPAManager verified, its verified bytes, which are then what runs (the path only names it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Writer } from '../codec/writer';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { EXIT_CMD, HELLO_EVENT } from '../ipc/call-pipe';
import { readMessage, writeMessageHeader, type IPCMessage } from '../ipc/message';
import { eachMessage, PortBatcher, type PortMessage } from '../ipc/port-batch';
import { native } from '../native';
import type { VerifiedModule } from '../modules/signature';
import { loadIPAModule } from '../ipa-module';
import { loadVerifiedIPAModule } from '../proxy/module';
import { Dispatcher, type Replies } from './dispatcher';

interface ThreadData {
  modulePath: string;
  verified?: { module: VerifiedModule; handlerModules: string[] };
}

function main(port: NonNullable<typeof parentPort>, { modulePath, verified }: ThreadData): void {
  const die = (error: unknown, during: string): never => {
    // Thrown out of the thread: ThreadPipe reports it as the crash's reason.
    throw new Error(`ts-ipa worker thread (${modulePath}): ${during}: ${(error as Error)?.message ?? error}`);
  };
  const { module, codec } = verified ? loadVerifiedIPAModule(verified.module, undefined, new Set(verified.handlerModules)) : loadIPAModule(modulePath);
  const controls = new ControlSerializer(ControlSerializerRole.Worker);
  const writer = new Writer(controls);
  const outgoing = new PortBatcher((message, transfer) => port.postMessage(message, transfer));
  const post = (cmd: number, cookie: number, encode: (w: Writer) => void): void => {
    const w = writer.reset();
    writeMessageHeader(w, cmd, cookie);
    encode(w);
    const { data, fds } = w.result();
    outgoing.add(data, fds);
  };
  const replies: Replies = {
    reply: (call: IPCMessage, encode) => post(call.cmd, call.cookie, encode),
    sendEvent: (cmd, encode) => post(cmd, 0, encode),
  };
  replies.sendEvent(HELLO_EVENT, (w) => w.string(codec.model.hash, 'hello'));
  const ipa = module.create(codec.eventSenders((cmd, _name, encode) => replies.sendEvent(cmd, encode)) as never);
  const dispatcher = new Dispatcher(codec, ipa, replies, (error, during) => setImmediate(() => die(error, during)), controls);
  let exited = false;
  port.on('message', (message: PortMessage) => eachMessage(message, (payload, fds) => {
    if (exited) {
      for (const fd of fds) native().close(fd);
      return;
    }
    const call = readMessage(payload, fds);
    if (call.cmd === EXIT_CMD) {
      exited = true;
      port.close();
      return;
    }
    dispatcher.receive(call);
  }));
}

if (parentPort) main(parentPort, workerData as ThreadData);
