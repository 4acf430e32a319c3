import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, runtime } from './support';
import { arbitraryOf } from './arbitraries';
import { IPAVimcInterface } from '../dist/platforms/vimc/contract.js';
import { IPARPiInterface } from '../dist/platforms/raspberrypi/contract.js';
import { GoldenInterface } from '../dist/test/contracts/golden.js';

const {
  Writer, Reader, SharedFD, ControlSerializer, ControlSerializerRole, ControlList, ControlValue, ControlType,
  DeserializeError, SerializeError, contractCodec, encode, decode, IPASettings, IPABuffer, Size, controls, controlIds,
} = runtime;

const vimc = contractCodec(IPAVimcInterface).methods;
const golden = contractCodec(GoldenInterface).methods;

function decodeWith(codec: { decodeParams(r: InstanceType<typeof Reader>): unknown[] }, hex: string, fds: number[] = []) {
  const r = new Reader(fromHex(hex), fds, new ControlSerializer(ControlSerializerRole.Worker));
  const value = codec.decodeParams(r);
  r.expectEnd('payload');
  return value;
}

function deserializeError(run: () => unknown): InstanceType<typeof DeserializeError> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DeserializeError);
    return error as InstanceType<typeof DeserializeError>;
  }
  throw new Error('expected a DeserializeError, but decoding succeeded');
}

describe('decoding bad input throws a DeserializeError naming the field', () => {
  it('a truncated struct', () => {
    const { data } = encode(IPASettings, { configurationFile: 'vimc.conf', sensorModel: 'sensor' });
    const error = deserializeError(() => decode(IPASettings, data.subarray(0, data.length - 2)));
    expect(error.field).toBe('IPASettings.sensorModel');
    expect(error.message).toBe('cannot decode IPASettings.sensorModel: needs 6 bytes, 4 left');
  });

  it('a size prefix larger than what is left', () => {
    // IPACameraSensorInfo-like: a Size field claiming 4 KiB.
    const error = deserializeError(() => decode(IPASettings, fromHex('00100000')));
    expect(error.message).toBe('cannot decode IPASettings.configurationFile: needs 4096 bytes, 0 left');
  });

  it('an element count far beyond the bytes left, without allocating for it', () => {
    const error = deserializeError(() => decodeWith(golden.vectorU32!, 'ffffffff'));
    expect(error.field).toBe('vectorU32.value');
    expect(error.message).toContain('count 4294967295 needs at least 34359738360 bytes, 0 left');
  });

  it('a map with a key that appears twice', () => {
    const entry = '04000000000000000100000001000000000000007a';
    const error = deserializeError(() => decodeWith(golden.mapU32String!, `02000000${entry}${entry}`));
    expect(error.message).toContain('the key 1 appears twice');
  });

  it('a valid SharedFD without an fd', () => {
    const error = deserializeError(() => decodeWith(golden.sharedFD!, '01000000', []));
    expect(error.field).toBe('sharedFD.value');
    expect(error.message).toContain('a valid SharedFD needs an fd, 0 left');
  });

  it('more fds than the data uses', () => {
    const error = deserializeError(() => decodeWith(golden.sharedFD!, '01000000', [5, 6]));
    expect(error.message).toContain('1 unexpected trailing fd');
  });

  it('an element claiming more fds than the message carries', () => {
    const { data } = encode(IPABuffer, { id: 1, planes: [] });
    const forged = data.slice();
    new DataView(forged.buffer).setUint32(8, 3, true); // planes fd count
    const error = deserializeError(() => decode(IPABuffer, forged, []));
    expect(error.field).toBe('IPABuffer.planes');
    expect(error.message).toContain('fd count 3 exceeds the 0 fds left');
  });

  it('trailing bytes after a value', () => {
    const { data } = encode(Size, { width: 1, height: 2 });
    const error = deserializeError(() => decode(Size, new Uint8Array([...data, 0])));
    expect(error.message).toContain('1 unexpected trailing byte');
  });

  it('a bool that is neither 0 nor 1', () => {
    const error = deserializeError(() => decodeWith(golden.vectorBool!, '01000000010000000000000002'));
    expect(error.message).toContain('a bool must be 0 or 1, got 2');
  });

  it('a string that is not UTF-8', () => {
    const error = deserializeError(() => decode(IPASettings, fromHex('02000000c328' + '00000000')));
    expect(error.message).toContain('not valid UTF-8');
  });

  it('a size table shorter than the call needs', () => {
    const error = deserializeError(() => decodeWith(vimc.computeParams!, '0400'));
    expect(error.message).toBe('cannot decode computeParams size table: needs 8 bytes, 2 left');
  });

  it('a control packet with an unknown type', () => {
    const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
    w.controlList(new ControlList(controlIds).set(controls.AeEnable, true), 'list');
    const bytes = w.take().data;
    bytes[8 + 32 + 4] = 42; // the value entry's type
    const error = deserializeError(() => new Reader(bytes, [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list'));
    expect(error.message).toContain('unknown control type 42');
  });

  it('a control packet of another format version', () => {
    const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
    w.controlList(new ControlList(controlIds), 'list');
    const bytes = w.take().data;
    bytes[8] = 1;
    const error = deserializeError(() => new Reader(bytes, [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list'));
    expect(error.message).toBe('cannot decode list: control packet version 1, expected 2');
  });

  it('a ControlList that refers to an info map the receiver never saw', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const w = new Writer(proxy);
    const map = new runtime.ControlInfoMap([[controls.AeEnable, new runtime.ControlInfo(ControlValue.bool(false), ControlValue.bool(true))]], controlIds);
    w.controlInfoMap(map, 'map');
    w.reset();
    w.controlList(new ControlList(map).set(controls.AeEnable, true), 'list');
    const error = deserializeError(() => new Reader(w.take().data, [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list'));
    expect(error.message).toBe('cannot decode list: unknown ControlInfoMap handle 1');
  });

  it('a control value at the wrong offset', () => {
    const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
    w.controlList(new ControlList(controlIds).set(controls.AeEnable, true).set(controls.Brightness, 1), 'list');
    const bytes = w.take().data;
    new DataView(bytes.buffer).setUint32(8 + 32 + 20 + 8, 7, true); // the second entry's offset
    const error = deserializeError(() => new Reader(bytes, [], new ControlSerializer(ControlSerializerRole.Worker)).controlList('list'));
    expect(error.message).toContain('value at offset 7, expected 1');
  });

  it('any truncation or corruption of a valid message fails only with DeserializeError', () => {
    const model = contractCodec(IPARPiInterface).model;
    const methods = contractCodec(IPARPiInterface).methods;
    const configure = model.interface!.methods.find((m) => m.name === 'configure')!;
    const args = fc.tuple(...configure.params.map((p) => arbitraryOf(p.type, model)));
    fc.assert(fc.property(args, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (values, at, byte, truncate) => {
      const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
      (methods.configure!.encodeParams as (w: unknown, ...a: unknown[]) => void)(w, ...values);
      const { data, fds } = w.take();
      const position = at % data.length;
      const bad = truncate ? data.subarray(0, position) : data.map((b, i) => (i === position ? byte : b));
      try {
        const r = new Reader(bad, fds, new ControlSerializer(ControlSerializerRole.Worker));
        methods.configure!.decodeParams(r);
        r.expectEnd('configure');
      } catch (error) {
        if (!(error instanceof DeserializeError)) throw error;
      }
    }), { numRuns: 2000 });
  });
});

describe('encoding a value that does not fit its type throws a SerializeError naming the field', () => {
  const cases: [string, () => unknown, string][] = [
    ['a negative u32', () => encode(Size, { width: -1, height: 0 }), 'cannot encode Size.width: -1 is not an integer in the range of u32'],
    ['a fraction', () => encode(Size, { width: 1.5, height: 0 }), 'cannot encode Size.width: 1.5 is not an integer in the range of u32'],
    ['a string for a number', () => encode(Size, { width: '640' as never, height: 0 }), 'cannot encode Size.width: "640" is not an integer in the range of u32'],
    ['a bigint for a 32-bit integer', () => encode(Size, { width: 640n as never, height: 0 }), 'cannot encode Size.width: 640n is not an integer in the range of u32'],
    ['a symbol for a number', () => encode(Size, { width: Symbol('w') as never, height: 0 }), 'cannot encode Size.width: Symbol(w) is not an integer in the range of u32'],
    ['a number for a string', () => encode(IPASettings, { configurationFile: 7 as never, sensorModel: '' }), 'cannot encode IPASettings.configurationFile: expected a string, got 7'],
    ['a missing struct', () => encode(IPASettings, undefined as never), 'cannot encode IPASettings: expected a IPASettings object, got undefined'],
    ['a non-array', () => encode(IPABuffer, { id: 1, planes: {} as never }), 'cannot encode IPABuffer.planes: expected an array, got Object'],
    ['a number for a SharedFD', () => {
      const w = new Writer();
      vimc.init!.encodeParams(w, ...([{ configurationFile: '', sensorModel: '' }, 3, 0, 0] as never[]));
    }, 'cannot encode init.traceFd: expected a SharedFD, got 3'],
    ['a bigint out of range', () => {
      const w = new Writer();
      w.u64(-1n, 'pixelRate');
    }, 'cannot encode pixelRate: -1n is not a bigint in the range of u64'],
    ['a ControlList without a serializer', () => {
      const w = new Writer();
      vimc.queueRequest!.encodeParams(w, ...([1, new ControlList(controlIds)] as never[]));
    }, 'cannot encode queueRequest.controls: ControlList and ControlInfoMap values need a ControlSerializer'],
    ['a control value of the wrong type', () => {
      const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
      w.controlList(new ControlList(controlIds).setValue(controls.ExposureTime.id, new ControlValue(ControlType.Integer32, 'long' as never)), 'list');
    }, 'cannot encode list.ExposureTime: "long" is not an integer in the range of i32'],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(SerializeError);
      expect(run).toThrow(message);
    });
  }

  it('leaves the writer usable after a failure', () => {
    const w = new Writer();
    expect(() => runtime.structCodec(Size).encode(w, { width: -1, height: 0 })).toThrow(SerializeError);
    w.reset();
    runtime.structCodec(Size).encode(w, { width: 1, height: 2 });
    expect([...w.result().data]).toEqual([1, 0, 0, 0, 2, 0, 0, 0]);
  });

  it('SharedFD numbers are checked when constructed', () => {
    expect(() => new SharedFD(-2)).toThrow(RangeError);
  });
});
