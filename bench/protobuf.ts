/** protobufjs schemas carrying the same information, for the side-by-side comparison. */
import protobuf from 'protobufjs';

const schema = `
syntax = "proto3";
message Size { uint32 width = 1; uint32 height = 2; }
message Rectangle { sint32 x = 1; sint32 y = 2; uint32 width = 3; uint32 height = 4; }
message SensorInfo {
  string model = 1; uint32 bitsPerPixel = 2; uint32 cfaPattern = 3; Size activeAreaSize = 4;
  Rectangle analogCrop = 5; Size outputSize = 6; uint64 pixelRate = 7; uint32 minLineLength = 8;
  uint32 maxLineLength = 9; uint32 minFrameLength = 10; uint32 maxFrameLength = 11;
}
message Control {
  uint32 id = 1; uint32 type = 2; bool isArray = 3;
  repeated bool bools = 4; repeated sint32 ints = 5; repeated float floats = 6;
  repeated sint64 longs = 7; repeated Rectangle rectangles = 8;
}
message Controls { repeated Control controls = 1; }
message Plane { uint32 fd = 1; uint32 offset = 2; uint32 length = 3; }
message Buffer { uint32 id = 1; repeated Plane planes = 2; }
message Buffers { repeated Buffer buffers = 1; }
message ComputeParams { uint32 frame = 1; uint32 bufferId = 2; }
`;

const root = protobuf.parse(schema).root;
export const SensorInfo = root.lookupType('SensorInfo');
export const Controls = root.lookupType('Controls');
export const Buffers = root.lookupType('Buffers');
export const ComputeParams = root.lookupType('ComputeParams');
