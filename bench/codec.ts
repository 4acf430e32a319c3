/**
 * Encode + decode of the same values by ts-ipa's generated codecs and by the peers: msgpackr,
 * v8.serialize, JSON, protobufjs and a hand-written DataView codec of the same wire format.
 */
import v8 from 'node:v8';
import { Packr } from 'msgpackr';
import {
  ControlSerializer, ControlSerializerRole, ControlType, Reader, Writer, contractCodec, structCodec, IPACameraSensorInfo,
  type IPABuffer,
} from '../runtime';
import { IPAVimcInterface } from '../platforms/vimc/contract';
import { buffers, plainBuffers, plainControls, requestControls, sensorInfo, withoutBigints, type PlainControl } from './data';
import * as hand from './hand-written';
import * as proto from './protobuf';

export interface CodecCase {
  name: string;
  /** Each implementation's encode + decode of the case's value; returns the encoded size. */
  impls: Record<string, () => number>;
}

const packr = new Packr({ int64AsType: 'bigint' });
const vimc = contractCodec(IPAVimcInterface).methods;
// The generated codecs, typed as the contract declares them.
const mapBuffers = vimc.mapBuffers as unknown as { encodeParams(w: Writer, buffers: IPABuffer[]): void; decodeParams(r: Reader): unknown[] };
const computeParams = vimc.computeParams as unknown as { encodeParams(w: Writer, frame: number, bufferId: number): void; decodeParams(r: Reader): unknown[] };
const sensorInfoCodec = structCodec(IPACameraSensorInfo);

// One writer reused per case, as a pipe reuses its buffer; serializers as at the two ends.
const writer = new Writer(new ControlSerializer(ControlSerializerRole.Proxy), 1 << 16);
const receiving = new ControlSerializer(ControlSerializerRole.Worker);

// Each case spells its ts-ipa round trip out in a function of its own, as the peers' are: a
// shared helper would make its call sites polymorphic and slow every case down.

function general<T>(value: T) {
  const json = withoutBigints(value);
  return {
    msgpackr: () => packr.unpack(packr.pack(value)) && packr.pack(value).length,
    'v8.serialize': () => {
      const data = v8.serialize(value);
      v8.deserialize(data);
      return data.length;
    },
    JSON: () => {
      const text = JSON.stringify(json);
      JSON.parse(text);
      return Buffer.byteLength(text);
    },
  };
}

function controlToProto(c: PlainControl) {
  const values = c.isArray ? (c.value as unknown[]) : [c.value];
  const field = { [ControlType.Bool]: 'bools', [ControlType.Integer32]: 'ints', [ControlType.Float]: 'floats', [ControlType.Integer64]: 'longs', [ControlType.Rectangle]: 'rectangles' }[c.type as number]!;
  return { id: c.id, type: c.type, isArray: c.isArray, [field]: c.type === ControlType.Integer64 ? values.map(Number) : values };
}

function controlFromProto(m: Record<string, unknown[]>): PlainControl {
  const values = [m.bools, m.ints, m.floats, m.longs, m.rectangles].find((l) => l && l.length > 0) ?? [];
  const isArray = Boolean(m.isArray);
  return { id: Number(m.id), type: Number(m.type), isArray, value: isArray ? values : values[0] };
}

export function codecCases(): CodecCase[] {
  const list = requestControls();
  const controls = plainControls(list);
  const protoControls = { controls: controls.map(controlToProto) };
  const protoInfo = { ...sensorInfo, pixelRate: Number(sensorInfo.pixelRate) };

  return [
    {
      name: 'IPACameraSensorInfo',
      impls: {
        'ts-ipa': () => {
          sensorInfoCodec.encode(writer.reset(), sensorInfo);
          const { data, fds } = writer.result();
          sensorInfoCodec.decode(new Reader(data, fds, receiving));
          return data.length;
        },
        'hand-written': () => hand.decodeSensorInfo(hand.encodeSensorInfo(sensorInfo)) && hand.encodeSensorInfo(sensorInfo).length,
        ...general(sensorInfo),
        protobufjs: () => {
          const data = proto.SensorInfo.encode(protoInfo).finish();
          proto.SensorInfo.decode(data);
          return data.length;
        },
      },
    },
    {
      name: 'ControlList (24 controls)',
      impls: {
        'ts-ipa': () => {
          writer.reset().controlList(list, 'controls');
          const { data, fds } = writer.result();
          new Reader(data, fds, receiving).controlList('controls');
          return data.length;
        },
        'hand-written': () => {
          const data = hand.encodeControls(list);
          hand.decodeControls(data);
          return data.length;
        },
        ...general(controls),
        protobufjs: () => {
          const data = proto.Controls.encode(protoControls).finish();
          (proto.Controls.decode(data) as unknown as { controls: Record<string, unknown[]>[] }).controls.map(controlFromProto);
          return data.length;
        },
      },
    },
    {
      name: '8 IPABuffers (mapBuffers)',
      impls: {
        'ts-ipa': () => {
          mapBuffers.encodeParams(writer.reset(), buffers);
          const { data, fds } = writer.result();
          mapBuffers.decodeParams(new Reader(data, fds, receiving));
          return data.length;
        },
        'hand-written': () => {
          const fds: number[] = [];
          const data = hand.encodeBuffers(buffers, fds);
          hand.decodeBuffers(data, fds);
          return data.length;
        },
        ...general(plainBuffers),
        protobufjs: () => {
          const data = proto.Buffers.encode({ buffers: plainBuffers }).finish();
          proto.Buffers.decode(data);
          return data.length;
        },
      },
    },
    {
      name: 'computeParams(frame, bufferId)',
      impls: {
        'ts-ipa': () => {
          computeParams.encodeParams(writer.reset(), 1234, 5);
          const { data, fds } = writer.result();
          computeParams.decodeParams(new Reader(data, fds, receiving));
          return data.length;
        },
        'hand-written': () => hand.decodeComputeParams(hand.encodeComputeParams(1234, 5)) && 16,
        ...general({ frame: 1234, bufferId: 5 }),
        protobufjs: () => {
          const data = proto.ComputeParams.encode({ frame: 1234, bufferId: 5 }).finish();
          proto.ComputeParams.decode(data);
          return data.length;
        },
      },
    },
  ];
}
