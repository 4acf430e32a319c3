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
export { yieldHelperThreads } from './helper-threads';
export { IPCPipeUnixSocket, type PipeOptions } from './ipc/pipe';
export { CallPipe, type CallPipeOptions } from './ipc/call-pipe';
export { ThreadPipe, type ThreadPipeOptions } from './ipc/thread-pipe';
export { IPCWorkerEndpoint, type WorkerHandlers, type WorkerEndpointOptions } from './ipc/worker-endpoint';
export { PortTransport, portTransport } from './ipc/port';
export { RemoteProxy, type Channel } from './proxy/remote';
export { DirectProxy } from './proxy/direct';
export { defineIPA, loadIPAModule, type IPAModule } from './ipa-module';
export { createProxy, type ProxyOptions } from './proxy/create';
export { type RecoveryPolicy } from './proxy/recovery';
export { sandboxSupport, type SandboxOptions, type SandboxSupport } from './proxy/sandbox';
export type { IPAProxy, Isolation } from './proxy/types';
export type { IPAImplementation, EventSender, EventsOf, Calls, ContractClass } from './contract-types';
export * from './modules';
