import { describe, expect, it } from 'vitest';
import { expectedHex, fromHex, goldenVectors, runtime, toHex, type GoldenVector } from './support';
import { GoldenInterface } from '../dist/test/contracts/golden.js';
import { IPAOperationCode, TestFlag } from '../dist/platforms/vimc/contract.js';
import type { ControlId } from '../dist/runtime/index.js';

const {
  Writer, Reader, SharedFD, FrameBufferPlane, ControlSerializer, ControlSerializerRole, ControlList, ControlInfoMap,
  ControlInfo, ControlValue, ControlType, controls, properties, controlIds, propertyIds, structCodec, contractCodec,
  Point, Size, Rectangle, SizeRange, IPASettings, IPAStream, IPACameraSensorInfo, IPABuffer,
} = runtime;
type Writer = InstanceType<typeof Writer>;
type Reader = InstanceType<typeof Reader>;
type ControlSerializer = InstanceType<typeof ControlSerializer>;

const golden = contractCodec(GoldenInterface).methods;

/** Encodes a value with one of the golden contract's one-parameter calls (= its top-level form). */
function viaCall(method: keyof typeof golden, value: unknown) {
  return {
    encode: (w: Writer) => (golden[method]!.encodeParams as (w: Writer, v: unknown) => void)(w, value),
    decode: (r: Reader) => golden[method]!.decodeParams(r)[0],
    value,
  };
}

function viaStruct<T>(target: abstract new () => T, value: T) {
  return {
    encode: (w: Writer) => structCodec(target).encode(w, value),
    decode: (r: Reader) => structCodec(target).decode(r),
    value,
  };
}

function scalar(write: (w: Writer) => void, read: (r: Reader) => unknown, value: unknown) {
  return { encode: write, decode: read, value };
}

// Placeholder fd numbers: only the count and order of fds reach the wire.
const fdA = new SharedFD(10);
const fdB = new SharedFD(11);
const ipaBuffer = { id: 7, planes: [new FrameBufferPlane(fdA, 4096, 65536), new FrameBufferPlane(fdB, 0, 100)] };

interface Case {
  encode(w: Writer): void;
  decode(r: Reader): unknown;
  value: unknown;
}

const cases: Record<string, Case> = {
  'bool.true': scalar((w) => w.bool(true, 'v'), (r) => r.bool('v'), true),
  'bool.false': scalar((w) => w.bool(false, 'v'), (r) => r.bool('v'), false),
  'int8.-1': scalar((w) => w.i8(-1, 'v'), (r) => r.i8('v'), -1),
  'uint8.200': scalar((w) => w.u8(200, 'v'), (r) => r.u8('v'), 200),
  'int16.-2': scalar((w) => w.i16(-2, 'v'), (r) => r.i16('v'), -2),
  'uint16.65000': scalar((w) => w.u16(65000, 'v'), (r) => r.u16('v'), 65000),
  'int32.-123456': scalar((w) => w.i32(-123456, 'v'), (r) => r.i32('v'), -123456),
  'uint32.3000000000': scalar((w) => w.u32(3000000000, 'v'), (r) => r.u32('v'), 3000000000),
  'int64.-5': scalar((w) => w.i64(-5n, 'v'), (r) => r.i64('v'), -5n),
  'uint64.2^63+1': scalar((w) => w.u64(2n ** 63n + 1n, 'v'), (r) => r.u64('v'), 2n ** 63n + 1n),
  'float.1.5': scalar((w) => w.f32(1.5, 'v'), (r) => r.f32('v'), 1.5),
  'double.-2.25': scalar((w) => w.f64(-2.25, 'v'), (r) => r.f64('v'), -2.25),
  'string.empty': scalar((w) => w.string('', 'v'), (r) => r.string('v'), ''),
  'string.hello': scalar((w) => w.string('hello', 'v'), (r) => r.string('v'), 'hello'),
  'string.utf8': scalar((w) => w.string('hé', 'v'), (r) => r.string('v'), 'hé'),
  'vector<uint32>.{1,2,3}': viaCall('vectorU32', [1, 2, 3]),
  'vector<uint32>.{}': viaCall('vectorU32', []),
  'vector<string>.{a,bc}': viaCall('vectorString', ['a', 'bc']),
  'map<uint32,string>.{1:x,2:yz}': viaCall('mapU32String', new Map([[2, 'yz'], [1, 'x']])),
  'vector<bool>.{true,false}': viaCall('vectorBool', [true, false]),
  'vector<vector<int32>>.{{-1},{}}': viaCall('vectorVectorI32', [[-1], []]),
  'map<string,vector<uint8>>.{k:{1,2}}': viaCall('mapStringVectorU8', new Map([['k', [1, 2]]])),
  'Point.{-3,7}': viaStruct(Point, { x: -3, y: 7 }),
  'Size.{640,480}': viaStruct(Size, { width: 640, height: 480 }),
  'Rectangle.{-1,2,3,4}': viaStruct(Rectangle, { x: -1, y: 2, width: 3, height: 4 }),
  'SizeRange.{{1,2},{3,4},5,6}': viaStruct(SizeRange, { min: { width: 1, height: 2 }, max: { width: 3, height: 4 }, hStep: 5, vStep: 6 }),
  'vector<Size>.{{1,2},{3,4}}': viaCall('vectorSize', [{ width: 1, height: 2 }, { width: 3, height: 4 }]),
  IPASettings: viaStruct(IPASettings, { configurationFile: 'vimc.conf', sensorModel: 'sensor' }),
  IPAStream: viaStruct(IPAStream, { pixelFormat: 0x34325258, size: { width: 1920, height: 1080 } }),
  IPACameraSensorInfo: viaStruct(IPACameraSensorInfo, {
    model: 'imx219', bitsPerPixel: 10, cfaPattern: 1,
    activeAreaSize: { width: 3280, height: 2464 },
    analogCrop: { x: 0, y: 0, width: 3280, height: 2464 },
    outputSize: { width: 1640, height: 1232 },
    pixelRate: 182400000n, minLineLength: 3448, maxLineLength: 65535, minFrameLength: 1248, maxFrameLength: 65535,
  }),
  'map<uint32,IPAStream>': viaCall('mapU32IPAStream', new Map([[0, { pixelFormat: 0x34325258, size: { width: 1920, height: 1080 } }]])),
  'vimc.IPAOperationCode.Start': scalar((w) => w.u32(IPAOperationCode.IPAOperationStart, 'v'), (r) => r.u32('v'), IPAOperationCode.IPAOperationStart),
  'vimc.Flags<TestFlag>.Flag1|Flag3': scalar((w) => w.u32(TestFlag.Flag1 | TestFlag.Flag3, 'v'), (r) => r.u32('v'), 5),
  'vimc.TestFlag.Flag4': scalar((w) => w.u32(TestFlag.Flag4, 'v'), (r) => r.u32('v'), 8),
  'SharedFD.valid': viaCall('sharedFD', fdA),
  'SharedFD.invalid': viaCall('sharedFD', SharedFD.invalid),
  'FrameBuffer::Plane': scalar((w) => w.plane(new FrameBufferPlane(fdA, 4096, 65536), 'v'), (r) => r.plane('v'), new FrameBufferPlane(fdA, 4096, 65536)),
  IPABuffer: viaStruct(IPABuffer, ipaBuffer),
  'vector<IPABuffer>': viaCall('vectorIPABuffer', [ipaBuffer, { id: 8, planes: [new FrameBufferPlane(fdB, 0, 100)] }]),
  'vector<SharedFD>.{valid,invalid,valid}': viaCall('vectorSharedFD', [fdA, SharedFD.invalid, fdA]),
};

/** Vectors of the IPC layer: test/ipc-socket.test.ts reproduces them on a real socket. */
const coveredByIpcTests = new Set([
  'IPCMessage.payload.cmd3.cookie42.int32_9001',
  'IPCUnixSocket.wire.datagram1.header',
  'IPCUnixSocket.wire.datagram2.payload',
]);

describe('golden vectors from libcamera v0.7.1', () => {
  it('are all covered, here or by the socket tests', () => {
    const controlsGroup = goldenVectors.filter((v) => v.group === 'controls').map((v) => v.name);
    const uncovered = goldenVectors
      .map((v) => v.name)
      .filter((name) => !(name in cases) && !controlsGroup.includes(name) && !coveredByIpcTests.has(name));
    expect(uncovered).toEqual([]);
  });

  for (const vector of goldenVectors.filter((v) => v.name in cases)) {
    const c = cases[vector.name]!;
    it(`${vector.name}: encodes byte for byte`, () => {
      const w = new Writer();
      c.encode(w);
      const { data, fds } = w.result();
      expect(toHex(data)).toBe(expectedHex(vector));
      expect(fds.length).toBe(vector.fds);
    });

    it(`${vector.name}: decodes back, each fd in its place`, () => {
      const w = new Writer();
      c.encode(w);
      const r = new Reader(fromHex(vector.hex), w.result().fds);
      const decoded = c.decode(r);
      r.expectEnd(vector.name);
      expect(decoded).toEqual(c.value);
    });
  }
});

// ---- controls ---------------------------------------------------------------------------------

const byName = (name: string): GoldenVector => goldenVectors.find((v) => v.name === name)!;

/** The info map of controlinfomap.basic, with entries in the order libcamera's packet lists them. */
function basicInfoMap(order: number[]) {
  const infos = new Map<number, [ControlId, InstanceType<typeof ControlInfo>]>([
    [14, [controls.Brightness, new ControlInfo(ControlValue.float(-1), ControlValue.float(1), ControlValue.float(0))]],
    [1, [controls.AeEnable, new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(true))]],
    [7, [controls.ExposureTime, new ControlInfo(ControlValue.i32(0), ControlValue.i32(999999), ControlValue.i32(10000))]],
    [27, [controls.ScalerCrop, new ControlInfo(
      ControlValue.rectangle({ x: 0, y: 0, width: 0, height: 0 }),
      ControlValue.rectangle({ x: 0, y: 0, width: 640, height: 480 }),
      ControlValue.rectangle({ x: 0, y: 0, width: 640, height: 480 }),
    )]],
    [20, [controls.ColourGains, new ControlInfo(ControlValue.float(0), ControlValue.float(32))]],
    [3, [controls.AeMeteringMode, new ControlInfo(ControlValue.i32(0), ControlValue.i32(3), ControlValue.i32(0))]],
    [30, [controls.FrameDurationLimits, new ControlInfo(
      ControlValue.i64(33333n), ControlValue.i64(1000000n), ControlValue.array(ControlType.Integer64, [33333n, 33333n]),
    )]],
  ]);
  return new ControlInfoMap(order.map((id) => infos.get(id)!), controlIds);
}

function basicList(infoMapOrIds: InstanceType<typeof ControlInfoMap> | typeof controlIds, order: number[]) {
  const list = new ControlList(infoMapOrIds);
  const values: Record<number, () => void> = {
    14: () => list.set(controls.Brightness, 0.5),
    1: () => list.set(controls.AeEnable, true),
    7: () => list.set(controls.ExposureTime, 10000),
    27: () => list.set(controls.ScalerCrop, { x: 16, y: 8, width: 608, height: 464 }),
  };
  for (const id of order) values[id]!();
  return list;
}

const ids = (items: { id: number }[] | undefined): number[] => (items ?? []).map((i) => i.id);

function encodeWith(serializer: ControlSerializer, write: (w: Writer) => void): string {
  const w = new Writer(serializer);
  write(w);
  return toHex(w.result().data);
}

describe('golden control vectors', () => {
  const infoVector = byName('controlinfomap.basic');
  const infoOrder = ids(infoVector.decoded?.info?.items);
  const listOrder = ids(byName('controllist.basic.cached').decoded?.list?.items);

  it('controlinfomap.basic: a ControlInfoMap, handle 1 from a fresh proxy serializer', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    expect(encodeWith(proxy, (w) => w.controlInfoMap(basicInfoMap(infoOrder), 'map'))).toBe(expectedHex(infoVector));

    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const decoded = new Reader(fromHex(infoVector.hex), [], worker).controlInfoMap('map');
    expect(decoded.equals(basicInfoMap(infoOrder))).toBe(true);
    expect(decoded.get(controls.Brightness)?.max.value).toBe(1);
    expect(worker.handleOf(decoded)).toBe(1);
  });

  it('the entry order does not matter to the decoded value', () => {
    const reordered = basicInfoMap([...infoOrder].reverse());
    const bytes = encodeWith(new ControlSerializer(ControlSerializerRole.Proxy), (w) => w.controlInfoMap(reordered, 'map'));
    expect(bytes).not.toBe(expectedHex(infoVector));
    expect(bytes.length).toBe(expectedHex(infoVector).length);
    const decoded = new Reader(fromHex(bytes), [], new ControlSerializer(ControlSerializerRole.Worker)).controlInfoMap('map');
    expect(decoded.equals(basicInfoMap(infoOrder))).toBe(true);
  });

  it('controllist.basic.first and .cached: the info map inline once, then by handle', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const map = basicInfoMap(ids(byName('controllist.basic.first').decoded?.info?.items));
    expect(encodeWith(proxy, (w) => w.controlList(basicList(map, listOrder), 'list'))).toBe(expectedHex(byName('controllist.basic.first')));
    expect(encodeWith(proxy, (w) => w.controlList(basicList(map, listOrder), 'list'))).toBe(expectedHex(byName('controllist.basic.cached')));

    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const first = new Reader(fromHex(byName('controllist.basic.first').hex), [], worker).controlList('list');
    const cached = new Reader(fromHex(byName('controllist.basic.cached').hex), [], worker).controlList('list');
    expect(first.equals(basicList(controlIds, [14, 1, 7, 27]))).toBe(true);
    expect(cached.equals(first)).toBe(true);
    expect(cached.infoMap).toBe(first.infoMap);
    expect(cached.get(controls.ScalerCrop)).toEqual({ x: 16, y: 8, width: 608, height: 464 });
  });

  it('controllist.basic.noinfomap: handle 0, controls id map', () => {
    const vector = byName('controllist.basic.noinfomap');
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    expect(encodeWith(proxy, (w) => w.controlList(basicList(controlIds, listOrder), 'list'))).toBe(expectedHex(vector));
    const decoded = new Reader(fromHex(vector.hex), [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list');
    expect(decoded.idMap).toBe(controlIds);
    expect(decoded.get(controls.Brightness)).toBe(0.5);
  });

  it('controllist.arrays: array values', () => {
    const vector = byName('controllist.arrays');
    const list = new ControlList(controlIds);
    const setters: Record<number, () => void> = {
      20: () => list.set(controls.ColourGains, [1.5, 2.25]),
      30: () => list.set(controls.FrameDurationLimits, [33333n, 66666n]),
      3: () => list.set(controls.AeMeteringMode, controls.AeMeteringMode.options.enumerators!.MeteringSpot!),
    };
    for (const id of ids(vector.decoded?.list?.items)) setters[id]!();
    expect(encodeWith(new ControlSerializer(ControlSerializerRole.Proxy), (w) => w.controlList(list, 'list'))).toBe(expectedHex(vector));
    const decoded = new Reader(fromHex(vector.hex), [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list');
    expect(decoded.get(controls.FrameDurationLimits)).toEqual([33333n, 66666n]);
    expect(decoded.equals(list)).toBe(true);
  });

  it('controllist.properties: a string, a Size and the properties id map', () => {
    const vector = byName('controllist.properties');
    const list = new ControlList(propertyIds);
    const setters: Record<number, () => void> = {
      2: () => list.set(properties.Rotation, 90),
      5: () => list.set(properties.PixelArraySize, { width: 640, height: 480 }),
      3: () => list.set(properties.Model, 'gen-vectors'),
    };
    for (const id of ids(vector.decoded?.list?.items)) setters[id]!();
    expect(encodeWith(new ControlSerializer(ControlSerializerRole.Proxy), (w) => w.controlList(list, 'list'))).toBe(expectedHex(vector));
    const decoded = new Reader(fromHex(vector.hex), [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list');
    expect(decoded.idMap).toBe(propertyIds);
    expect(decoded.get(properties.Model)).toBe('gen-vectors');
    expect(decoded.equals(list)).toBe(true);
  });

  it('controlserializer.raw.*.worker: raw packets from a worker serializer (handle 2)', () => {
    const mapVector = byName('controlserializer.raw.infomap.worker');
    const listVector = byName('controlserializer.raw.list.worker');
    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const map = basicInfoMap(ids(mapVector.decoded?.items));
    expect(encodeWith(worker, (w) => worker.writeInfoMapPacket(w, map, 'map'))).toBe(expectedHex(mapVector));
    const list = new ControlList(map).set(controls.Brightness, 0.5);
    expect(encodeWith(worker, (w) => worker.writeListPacket(w, list, 'list'))).toBe(expectedHex(listVector));
  });
});
