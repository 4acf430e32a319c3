import path from 'node:path';
import { contractCodec, contractFile, type IPAInterface } from '../contract';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { ContractError, IPATimeoutError } from '../errors';
import type { CallPipe } from '../ipc/call-pipe';
import { HELLO_EVENT, type IPCMessage, type WorkerPeer } from '../ipc/protocol';
import { IPCPipeUnixSocket } from '../ipc/pipe';
import { ThreadPipe } from '../ipc/thread-pipe';
import { Reader } from '../codec/reader';
import { printable } from '../ipc/printable';
import { closeReceived } from '../ipc/received-fds';
import { DirectProxy } from './direct';
import { handlerModules } from '../modules/loader';
import type { VerifiedModule } from '../modules/signature';
import { loadIPAModule, type IPAModule } from '../ipa-module';
import { loadVerifiedIPAModule } from '../modules/verified-ipa-module';
import { checkRecoveryPolicy, type RecoveryPolicy } from './recovery';
import { launched, sandboxedWorker, type SandboxOptions } from './sandbox';
import type { RemoteProxy } from './remote';
import type { ContractClass } from '../contract-types';
import type { IPAProxy, Isolation } from './types';
import type { ContractModel } from '../model';
import { RESERVED_CALL_NAMES, RESERVED_EVENT_NAMES } from '../reserved-names';

export interface ProxyOptions<T extends IPAInterface<object>> {
  /**
   * The IPA module: a file (any mode); in direct mode, the module itself; or a module the
   * IPAManager verified, which direct and thread modes run from its verified bytes (never from
   * disk) and process mode loads from its directory, in the sandbox.
   */
  module: string | IPAModule<T> | VerifiedModule;
  /** Where the IPA runs (default `process`, the safe choice for a module you did not build). */
  isolation?: Isolation;
  /** Sync call timeout in thread and process modes (default 2000 ms, as libcamera's). */
  timeoutMs?: number;
  /** The worker command in process mode; the module path and socket fd are appended. */
  workerCommand?: readonly [string, ...string[]];
  /**
   * What the worker speaks (process mode). `ts-ipa` (the default): ts-ipa's worker host, which
   * greets the proxy with its contract's hash (a worker built from another contract is refused)
   * and takes several messages a datagram. `libcamera`: libcamera's protocol alone, as libcamera's
   * own `<name>_ipa_proxy` workers speak it, given as `workerCommand` with the IPA's `.so` as
   * `module`: no greeting (nothing checks the worker's contract), one message a datagram,
   * cookies from 0, and the worker started with every fd but stdio and its socket closed.
   * ts-ipa's sandbox is its worker host's: it does not apply to another worker.
   */
  peer?: WorkerPeer;
  /** How long to wait for the worker's greeting (default 10 s). */
  startTimeoutMs?: number;
  /** A call timing out means the IPA is hung and its worker is ended (`hung`, the default), or only that the call failed (`slow`). */
  onTimeout?: 'hung' | 'slow';
  /**
   * Restart a crashed or hung worker and replay init, configure, mapBuffers and start (thread and
   * process modes; off by default). A direct IPA shares the caller's fate and has nothing to restart.
   */
  recovery?: RecoveryPolicy;
  /**
   * Process mode: what the worker may do (see SandboxOptions); on unless `false`. With a custom
   * `workerCommand`, the kernel's part (seccomp filter, memory cap) still applies; Node's
   * permission flags are the command's to carry.
   */
  sandbox?: SandboxOptions | false;
}

const WORKER_HOST = path.join(__dirname, '../worker/host.js');
const THREAD_HOST = path.join(__dirname, '../worker/thread-host.js');

/**
 * A proxy for an IPA implementing `contract`, running it directly, in a worker thread or in an
 * isolated child process. The proxy is typed from the contract class; the pipeline handler's
 * code is the same in every mode.
 */
export async function createProxy<T extends IPAInterface<object>>(contract: ContractClass<T>, options: ProxyOptions<T>): Promise<IPAProxy<T>> {
  const codec = contractCodec(contract);
  refuseReservedNames(codec.model);
  const isolation = options.isolation ?? 'process';
  const peer = options.peer ?? 'ts-ipa';
  if (peer === 'libcamera') checkLibcameraPeer(options, isolation);
  else if (peer !== 'ts-ipa') throw new RangeError(`peer must be 'ts-ipa' or 'libcamera', not ${String(peer)}`);
  const verified = isVerified(options.module) ? options.module : undefined;
  if (isolation === 'direct') {
    const module = typeof options.module === 'string' ? loadIPAModule(options.module, contract).module
      : verified ? loadVerifiedIPAModule(verified, contract).module : options.module as IPAModule<T>;
    return new DirectProxy(codec, (events) => module.create(events as never)) as unknown as IPAProxy<T>;
  }
  if (typeof options.module !== 'string' && !verified) throw new ContractError(`${isolation} mode loads the IPA module from a file: pass its path`);
  const controls = new ControlSerializer(ControlSerializerRole.Proxy);
  const modulePath = verified ? path.join(verified.directory, verified.entry) : path.resolve(options.module as string);
  // The thread runs the verified bytes; the handler's loaded files (its contract) it may share.
  const threadLoad = verified && isolation === 'thread' ? { module: verified, handlerModules: handlerModules() } : undefined;
  // Bad options fail here, before a worker exists to be left behind.
  if (options.recovery) checkRecoveryPolicy(options.recovery);
  const sandbox = isolation !== 'process' || options.sandbox === false || peer === 'libcamera' ? undefined : sandboxedWorker(WORKER_HOST, modulePath, contractFile(contract), options.sandbox ?? {});
  const open = async (): Promise<CallPipe> => {
    const pipe = isolation === 'thread'
      ? new ThreadPipe({ modulePath, verified: threadLoad, hostPath: THREAD_HOST, timeoutMs: options.timeoutMs, onTimeout: options.onTimeout, controls })
      : new IPCPipeUnixSocket({
        modulePath,
        workerCommand: options.workerCommand ? (sandbox ? launched(options.workerCommand) : options.workerCommand) : sandbox?.command ?? [process.execPath, WORKER_HOST],
        env: sandbox?.env,
        timeoutMs: options.timeoutMs,
        onTimeout: options.onTimeout,
        controls,
        peer,
      });
    // A libcamera worker says nothing until it is called: it is ready when it is started.
    if (peer === 'libcamera') return pipe;
    try {
      await handshake(pipe, codec.model.hash, options.startTimeoutMs ?? 10_000);
    } catch (error) {
      // A worker that did not greet as it should is not trusted to leave when asked: the
      // handshake ended it already, this waits until it is gone.
      await pipe.abort(`it failed its greeting: ${(error as Error).message}`);
      throw error;
    }
    // A worker that greeted us is a ts-ipa worker: several messages a datagram from now on.
    if (pipe instanceof IPCPipeUnixSocket) pipe.enableBatching();
    return pipe;
  };
  const Proxy = codec.Proxy as unknown as new (...args: ConstructorParameters<typeof RemoteProxy>) => RemoteProxy;
  const proxy = new Proxy(isolation, await open(), codec, controls);
  proxy.setReopen(open);
  if (options.recovery) proxy.setRecovery(options.recovery);
  return proxy as unknown as IPAProxy<T>;
}

function checkLibcameraPeer(options: Pick<ProxyOptions<IPAInterface<object>>, 'workerCommand' | 'sandbox'>, isolation: Isolation): void {
  if (isolation !== 'process') throw new ContractError(`peer 'libcamera' is a worker process: it needs isolation 'process', not '${isolation}'`);
  if (!options.workerCommand) throw new ContractError("peer 'libcamera' needs workerCommand: the libcamera worker to start (its <name>_ipa_proxy), given the module path and the socket's fd");
  if (options.sandbox) throw new ContractError("peer 'libcamera': sandbox is ts-ipa's worker host's and cannot apply to a libcamera worker; leave it out");
}

function isVerified(module: unknown): module is VerifiedModule {
  return typeof module === 'object' && module !== null && (module as VerifiedModule).files instanceof Map && typeof (module as VerifiedModule).entry === 'string';
}

const NO_GREETING = "a ts-ipa worker greets its proxy as it starts; a libcamera worker never does: to drive one, pass peer: 'libcamera'";

/**
 * Waits for the worker's greeting and checks that both ends were built from the same contract.
 * The greeting is the worker's first word, so as untrusted as the rest: one that does not decode
 * as the hash string (bad UTF-8, fds attached) fails the handshake with a ContractError saying
 * why, and so does a malformed message before it. Exported for the receive-path fuzz test; the
 * package exports createProxy only.
 */
export function handshake(pipe: CallPipe, hash: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      pipe.off('event', onEvent);
      pipe.off('crashed', onCrash);
      pipe.off('error', onMalformed);
      if (!error) return resolve();
      // Now, not once the caller gets to it: what the worker sent after is not even read.
      void pipe.abort(`it failed its greeting: ${error.message}`);
      reject(error);
    };
    const onEvent = (message: IPCMessage): void => {
      // A greeting carries no fds: whatever came with it or before it is closed here, its owner.
      closeReceived(message.fds);
      if (message.cmd !== HELLO_EVENT) return done(new ContractError(`the IPA worker spoke before greeting (event ${message.cmd})`));
      let theirs: string;
      try {
        const r = new Reader(message.data, message.fds);
        theirs = r.string('hello');
        r.expectEnd('hello');
      } catch (error) {
        return done(new ContractError(`the IPA worker's greeting does not decode: ${(error as Error).message}`));
      }
      if (theirs !== hash) {
        const shown = theirs.length > 64 ? `${printable(theirs, 64)} (${theirs.length} characters)` : printable(theirs, 64);
        return done(new ContractError(`the IPA worker was built from another contract: its model hash is ${shown}, the proxy's ${hash}. Rebuild both from the same contract.`));
      }
      done();
    };
    const onCrash = (error: Error): void => done(error);
    const onMalformed = (error: Error): void => done(new ContractError(`the IPA worker sent a malformed message before greeting: ${error.message}`));
    const timer = setTimeout(() => done(new IPATimeoutError('starting the IPA worker', timeoutMs, NO_GREETING)), timeoutMs);
    pipe.on('event', onEvent);
    pipe.on('crashed', onCrash);
    pipe.on('error', onMalformed);
  });
}

/**
 * The transformer refuses these names at their declaration; a model that has one anyway (built
 * by an older transformer, or by hand) would break the proxy, so it is refused here too.
 */
function refuseReservedNames(model: ContractModel): void {
  const calls = model.interface!.methods.filter((m) => RESERVED_CALL_NAMES.has(m.name));
  const events = model.events!.methods.filter((m) => RESERVED_EVENT_NAMES.has(m.name));
  const taken = [...calls.map((m) => `call '${m.name}'`), ...events.map((m) => `event '${m.name}'`)];
  if (taken.length > 0) throw new ContractError(`${model.interface!.name}: ${taken.join(', ')} would replace the proxy's own: rename, and rebuild with the transformer (it refuses such names)`);
}
