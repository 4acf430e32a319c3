export type { u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, Flags, Width } from './types';
export {
  IPAError, DeserializeError, SerializeError, ContractError, IPATimeoutError, IPACrashedError, IPAClosedError, UnknownCommandError, EventListenerError, ModuleError, KeyError,
  IPARecoveryError, IPAProtocolError, SandboxError,
} from './errors';
export { Writer, type Encoded } from './codec/writer';
export { Reader } from './codec/reader';
export { SharedFD, FrameBufferPlane } from './codec/shared-fd';
export {
  struct, ipaInterface, ipaEvents, IPAInterface,
  defineStruct, defineContract, structCodec, contractCodec, contractModel, encode, decode,
  type StructCodec, type MethodCodec, type ContractCodec,
} from './contract';
export type { ContractModel, TypeRef, StructModel, EnumModel, MethodModel, InterfaceModel, FieldModel, ConstModel } from './model';
export * from './core';
export {
  ControlType, ControlValue, controlElementBytes,
  type ControlData, type ControlScalar, type ControlRectangle, type ControlSize, type ControlPoint,
} from './controls/control-value';
export { ControlId, ControlIdMap, ControlInfo, ControlInfoMap, ControlList, ControlDirection } from './controls/control-list';
export { ControlSerializer, ControlSerializerRole, CONTROL_PACKET_VERSION } from './controls/serializer';
export { controls, properties, controlIds, propertyIds } from './controls/ids';
export { SystemError } from './native';
export { IPCUnixSocket, socketTransport, type SocketHandlers } from './ipc/unix-socket';
export { readMessage, writeMessageHeader, MessageFramer } from './ipc/message';
export { MESSAGE_HEADER_BYTES, DEFAULT_CALL_TIMEOUT_MS, EXIT_CMD, type IPCMessage, type WorkerPeer } from './ipc/protocol';
export type { Transport, TransportHandlers, OpenTransport } from './ipc/transport';
export { SharedMemory } from './shared-memory';
export { CallPipe, type CallPipeOptions } from './ipc/call-pipe';
export type { PipeOptions } from './ipc/pipe';
export type { ThreadPipeOptions } from './ipc/thread-pipe';
export { IPCWorkerEndpoint, type WorkerHandlers, type WorkerEndpointOptions } from './ipc/worker-endpoint';
export { PortTransport, portTransport } from './ipc/port';
export { RemoteProxy, type Channel } from './proxy/remote';
export { defineIPA, loadIPAModule, type IPAModule } from './ipa-module';
export type { ProxyOptions } from './proxy/create';
export { type RecoveryPolicy } from './proxy/recovery';
export type { SandboxOptions, SandboxSupport } from './proxy/sandbox';
export type { IPAProxy, Isolation } from './proxy/types';
export type { IPAImplementation, EventSender, EventsOf, Calls, ContractClass } from './contract-types';
export type { ModuleManifest } from './modules/manifest';
export type { KeyInput, SignatureCheck, VerifiedModule } from './modules/signature';
export type { IPAManagerOptions, FoundModule, CreateIPAOptions, IsolationDecision } from './modules/manager';

// ---- The pipeline handler's side: loaded the first time one of its names is read. ----
// A contract module and an IPA load this face in their worker (to declare structs, to define the
// IPA), and a worker must be up within libcamera's 2 s call timeout on a busy machine too. What
// starts workers, runs IPAs in-process and finds and verifies modules (child_process,
// worker_threads, crypto, vm; 35-odd files, half of this face's loading) they never use. Each
// name is a getter in the form Node's ES module loader finds names in (cjs-module-lexer:
// `return <module>.<name>`), so `import { createProxy } from 'ts-ipa'` works as before; the
// `declare`s give the types.
import type * as Create from './proxy/create';
import type * as Direct from './proxy/direct';
import type * as Pipe from './ipc/pipe';
import type * as ThreadPipeModule from './ipc/thread-pipe';
import type * as Sandbox from './proxy/sandbox';
import type * as HelperThreads from './helper-threads';
import type * as Manifest from './modules/manifest';
import type * as Signature from './modules/signature';
import type * as Manager from './modules/manager';
import type * as ProjectKey from './modules/project-key';
import { onFirstUse } from './on-first-use';

const create = onFirstUse((): typeof Create => require('./proxy/create'));
const direct = onFirstUse((): typeof Direct => require('./proxy/direct'));
const pipe = onFirstUse((): typeof Pipe => require('./ipc/pipe'));
const threadPipe = onFirstUse((): typeof ThreadPipeModule => require('./ipc/thread-pipe'));
const sandbox = onFirstUse((): typeof Sandbox => require('./proxy/sandbox'));
const helperThreads = onFirstUse((): typeof HelperThreads => require('./helper-threads'));
const manifest = onFirstUse((): typeof Manifest => require('./modules/manifest'));
const signature = onFirstUse((): typeof Signature => require('./modules/signature'));
const manager = onFirstUse((): typeof Manager => require('./modules/manager'));
const projectKey = onFirstUse((): typeof ProjectKey => require('./modules/project-key'));

export declare const createProxy: typeof Create.createProxy;
Object.defineProperty(exports, 'createProxy', { enumerable: true, get: function () { return create.createProxy; } });
export declare const DirectProxy: typeof Direct.DirectProxy;
export type DirectProxy = Direct.DirectProxy;
Object.defineProperty(exports, 'DirectProxy', { enumerable: true, get: function () { return direct.DirectProxy; } });
export declare const IPCPipeUnixSocket: typeof Pipe.IPCPipeUnixSocket;
export type IPCPipeUnixSocket = Pipe.IPCPipeUnixSocket;
Object.defineProperty(exports, 'IPCPipeUnixSocket', { enumerable: true, get: function () { return pipe.IPCPipeUnixSocket; } });
export declare const ThreadPipe: typeof ThreadPipeModule.ThreadPipe;
export type ThreadPipe = ThreadPipeModule.ThreadPipe;
Object.defineProperty(exports, 'ThreadPipe', { enumerable: true, get: function () { return threadPipe.ThreadPipe; } });
export declare const sandboxSupport: typeof Sandbox.sandboxSupport;
Object.defineProperty(exports, 'sandboxSupport', { enumerable: true, get: function () { return sandbox.sandboxSupport; } });
export declare const yieldHelperThreads: typeof HelperThreads.yieldHelperThreads;
Object.defineProperty(exports, 'yieldHelperThreads', { enumerable: true, get: function () { return helperThreads.yieldHelperThreads; } });
export declare const IPA_MODULE_API_VERSION: typeof Manifest.IPA_MODULE_API_VERSION;
Object.defineProperty(exports, 'IPA_MODULE_API_VERSION', { enumerable: true, get: function () { return manifest.IPA_MODULE_API_VERSION; } });
export declare const MANIFEST_FILE: typeof Manifest.MANIFEST_FILE;
Object.defineProperty(exports, 'MANIFEST_FILE', { enumerable: true, get: function () { return manifest.MANIFEST_FILE; } });
export declare const SIGNATURE_FILE: typeof Manifest.SIGNATURE_FILE;
Object.defineProperty(exports, 'SIGNATURE_FILE', { enumerable: true, get: function () { return manifest.SIGNATURE_FILE; } });
export declare const readManifest: typeof Manifest.readManifest;
Object.defineProperty(exports, 'readManifest', { enumerable: true, get: function () { return manifest.readManifest; } });
export declare const generateKeyPair: typeof Signature.generateKeyPair;
Object.defineProperty(exports, 'generateKeyPair', { enumerable: true, get: function () { return signature.generateKeyPair; } });
export declare const keyId: typeof Signature.keyId;
Object.defineProperty(exports, 'keyId', { enumerable: true, get: function () { return signature.keyId; } });
export declare const publicKey: typeof Signature.publicKey;
Object.defineProperty(exports, 'publicKey', { enumerable: true, get: function () { return signature.publicKey; } });
export declare const signModule: typeof Signature.signModule;
Object.defineProperty(exports, 'signModule', { enumerable: true, get: function () { return signature.signModule; } });
export declare const verifyModule: typeof Signature.verifyModule;
Object.defineProperty(exports, 'verifyModule', { enumerable: true, get: function () { return signature.verifyModule; } });
export declare const TrustedKeys: typeof Signature.TrustedKeys;
export type TrustedKeys = Signature.TrustedKeys;
Object.defineProperty(exports, 'TrustedKeys', { enumerable: true, get: function () { return signature.TrustedKeys; } });
export declare const IPAManager: typeof Manager.IPAManager;
export type IPAManager = Manager.IPAManager;
Object.defineProperty(exports, 'IPAManager', { enumerable: true, get: function () { return manager.IPAManager; } });
export declare const defaultIPAManager: typeof Manager.defaultIPAManager;
Object.defineProperty(exports, 'defaultIPAManager', { enumerable: true, get: function () { return manager.defaultIPAManager; } });
export declare const MODULE_PATH_ENV: typeof Manager.MODULE_PATH_ENV;
Object.defineProperty(exports, 'MODULE_PATH_ENV', { enumerable: true, get: function () { return manager.MODULE_PATH_ENV; } });
export declare const FORCE_ISOLATION_ENV: typeof Manager.FORCE_ISOLATION_ENV;
Object.defineProperty(exports, 'FORCE_ISOLATION_ENV', { enumerable: true, get: function () { return manager.FORCE_ISOLATION_ENV; } });
export declare const projectPublicKey: typeof ProjectKey.projectPublicKey;
Object.defineProperty(exports, 'projectPublicKey', { enumerable: true, get: function () { return projectKey.projectPublicKey; } });
export declare const PROJECT_KEY_FILE: typeof ProjectKey.PROJECT_KEY_FILE;
Object.defineProperty(exports, 'PROJECT_KEY_FILE', { enumerable: true, get: function () { return projectKey.PROJECT_KEY_FILE; } });
