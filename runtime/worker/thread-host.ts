/**
 * The ts-ipa worker host for thread mode: the same worker end and dispatch as the process host,
 * over the thread's port. Started by ThreadPipe with the module path in workerData and, for a
 * module the IPAManager verified, its verified bytes, which are then what runs (the path only
 * names it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { loadIPAModule } from '../ipa-module';
import { loadVerifiedIPAModule } from '../modules/verified-ipa-module';
import { portTransport } from '../ipc/port';
import { IPCWorkerEndpoint } from '../ipc/worker-endpoint';
import type { VerifiedModule } from '../modules/signature';
import { Dispatcher } from './dispatcher';

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
  let dispatcher: Dispatcher | undefined;
  // A thread's proxy is always ts-ipa's: it is greeted.
  const endpoint = new IPCWorkerEndpoint(portTransport(port), {
    // Nothing arrives before this function returns to the event loop, by when dispatcher is set.
    onMessage: (message) => dispatcher!.receive(message),
    // The port closed, the thread has nothing left to wait for and ends.
    onExit: () => {},
    onError: (error) => setImmediate(() => die(error, 'receiving')),
  }, { controls, tsIpaProxy: true });
  endpoint.greet(codec.model.hash);
  const ipa = module.create(codec.eventSenders((cmd, _name, encode) => endpoint.sendEvent(cmd, encode)) as never);
  dispatcher = new Dispatcher(codec, ipa, endpoint, (error, during) => setImmediate(() => die(error, during)), controls);
}

if (parentPort) main(parentPort, workerData as ThreadData);
