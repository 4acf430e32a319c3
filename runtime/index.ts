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
export { IPCUnixSocket, type SocketHandlers } from './ipc/unix-socket';
export { readMessage, writeMessageHeader, MESSAGE_HEADER_BYTES, type IPCMessage } from './ipc/message';
export { SharedMemory } from './shared-memory';
export { yieldHelperThreads } from './helper-threads';
export { IPCPipeUnixSocket, DEFAULT_CALL_TIMEOUT_MS, EXIT_CMD, type PipeOptions } from './ipc/pipe';
export { CallPipe, type CallPipeOptions } from './ipc/call-pipe';
export { ThreadPipe, type ThreadPipeOptions } from './ipc/thread-pipe';
export { IPCWorkerEndpoint, type WorkerHandlers } from './ipc/worker-endpoint';
export { RemoteProxy, type Channel } from './proxy/remote';
export { DirectProxy } from './proxy/direct';
export { defineIPA, loadIPAModule, type IPAModule } from './ipa-module';
export { createProxy, type ProxyOptions } from './proxy/create';
export { type RecoveryPolicy } from './proxy/recovery';
export { sandboxSupport, type SandboxOptions, type SandboxSupport } from './proxy/sandbox';
export type { IPAProxy, IPAImplementation, EventSender, EventsOf, Calls, ContractClass, Isolation } from './proxy/types';
export * from './modules';
