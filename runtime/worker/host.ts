#!/usr/bin/env node
/**
 * The ts-ipa worker host: `node host.js <IPA module> <socket fd>`, as libcamera starts its
 * `<module>_ipa_proxy` workers. It loads the module, greets the proxy with the contract's model
 * hash (event 0), then serves calls until Exit, or until the process that started it ends.
 */
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { TS_IPA_PROXY_ENV } from '../ipc/protocol';
import { socketTransport } from '../ipc/unix-socket';
import { IPCWorkerEndpoint } from '../ipc/worker-endpoint';
import { yieldHelperThreads } from '../helper-threads';
import { native, useAddonFile } from '../native';
import { sandboxSettings } from '../sandbox-settings';
import { loadIPAModule } from '../ipa-module';
import { Dispatcher } from './dispatcher';

function main(argv: string[]): void {
  const [modulePath, fdArgument] = argv;
  const fd = Number(fdArgument);
  if (!modulePath || !Number.isInteger(fd) || fd < 0) {
    process.stderr.write('usage: ts-ipa-worker <IPA module> <socket fd>\n');
    process.exit(2);
  }
  let sandbox;
  try {
    sandbox = sandboxSettings(process.env);
  } catch (error) {
    process.stderr.write(`ts-ipa worker (${modulePath}): ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (sandbox) useAddonFile(sandbox.addonFile);
  // A datagram socket says nothing when its peer goes away: without this, a worker whose
  // pipeline handler crashed would wait for calls for ever.
  if (!native().dieWithParent()) process.exit(0);
  // The socket and stdio are what the worker was handed; anything else came by accident.
  native().closeInheritedFds([0, 1, 2, fd]);
  // A call's answer must not wait for V8 compiling or collecting garbage on another thread.
  try {
    yieldHelperThreads();
  } catch (error) {
    process.stderr.write(`ts-ipa worker: could not lower its helper threads' priority (${(error as Error).message}); going on\n`);
  }
  let endpoint: IPCWorkerEndpoint | undefined;
  const die = (error: unknown, during: string): never => {
    process.stderr.write(`ts-ipa worker (${modulePath}): ${during}: ${(error as Error)?.stack ?? error}\n`);
    endpoint?.farewell(`${during}: ${(error as Error)?.message ?? error}`);
    process.exit(1);
  };

  const controls = new ControlSerializer(ControlSerializerRole.Worker);
  let dispatcher: Dispatcher | undefined;
  // Open before loading the module, so that a module that fails to load can say why.
  endpoint = new IPCWorkerEndpoint(socketTransport(fd), {
    // Nothing arrives before this function returns to the event loop, by when dispatcher is set.
    onMessage: (message) => dispatcher!.receive(message),
    onExit: () => process.exit(0),
    onError: (error) => die(error, 'receiving'),
  }, { controls, tsIpaProxy: process.env[TS_IPA_PROXY_ENV] === '1' });
  // Before any of the IPA's code runs: nothing it does can lift the filter afterwards.
  try {
    // Besides what the proxy lists, the worker reads its own /proc/<pid> (process.memoryUsage()
    // reads /proc/self/stat): its own, and no other process's.
    if (sandbox) native().enterSandbox(sandbox.memoryLimitBytes, [...sandbox.readable, `/proc/${process.pid}`]);
  } catch (error) {
    die(error, 'entering the sandbox');
  }
  let loaded;
  try {
    loaded = loadIPAModule(modulePath);
  } catch (error) {
    die(error, 'loading the module');
    return;
  }
  const { module, codec } = loaded;
  endpoint.greet(codec.model.hash);
  let ipa: unknown;
  try {
    ipa = module.create(codec.eventSenders((cmd, _name, encode) => endpoint.sendEvent(cmd, encode)) as never);
  } catch (error) {
    die(error, 'creating the IPA');
  }
  dispatcher = new Dispatcher(codec, ipa, endpoint, die, controls);
}

if (require.main === module) main(process.argv.slice(2));
