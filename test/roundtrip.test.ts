import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runtime } from './support';
import { arbitraryOf } from './arbitraries';
import { IPAVimcInterface } from '../dist/platforms/vimc/contract.js';
import { IPARkISP1Interface } from '../dist/platforms/rkisp1/contract.js';
import { IPARPiInterface } from '../dist/platforms/raspberrypi/contract.js';
import { GoldenInterface } from '../dist/test/contracts/golden.js';

const { Writer, Reader, ControlSerializer, ControlSerializerRole, contractCodec } = runtime;
type MethodModel = runtime.MethodModel;
type ContractModel = runtime.ContractModel;

/** Encodes with a proxy-side serializer and decodes with a worker-side one, as a real pipe does. */
function roundTrip(encode: (w: InstanceType<typeof Writer>) => void, decode: (r: InstanceType<typeof Reader>) => unknown): unknown {
  const w = new Writer(new ControlSerializer(ControlSerializerRole.Proxy));
  encode(w);
  const { data, fds } = w.take();
  const r = new Reader(data, fds, new ControlSerializer(ControlSerializerRole.Worker));
  const value = decode(r);
  r.expectEnd('round trip');
  return value;
}

function resultsOf(method: MethodModel, model: ContractModel): fc.Arbitrary<unknown> {
  if (method.resultsAsObject) {
    return fc.record(Object.fromEntries(method.results.map((f) => [f.name, arbitraryOf(f.type, model)])));
  }
  return method.results[0] ? arbitraryOf(method.results[0].type, model) : fc.constant(undefined);
}

const contracts = { vimc: IPAVimcInterface, rkisp1: IPARkISP1Interface, raspberrypi: IPARPiInterface, golden: GoldenInterface };
const modules = {
  core: runtime,
  vimc: require('../dist/platforms/vimc/contract.js'),
  rkisp1: require('../dist/platforms/rkisp1/contract.js'),
  raspberrypi: require('../dist/platforms/raspberrypi/contract.js'),
} as Record<string, Record<string, unknown>>;

describe('every struct class registered by a module round-trips any value', () => {
  const models = Object.values(contracts).map((c) => contractCodec(c).model);
  for (const [name, exports] of Object.entries(modules)) {
    for (const [exportName, value] of Object.entries(exports)) {
      if (typeof value !== 'function') continue;
      let codec;
      try {
        codec = runtime.structCodec(value as abstract new () => unknown);
      } catch {
        continue;
      }
      const model = models.find((m) => m.structs.some((st) => st.name === codec.name))!;
      it(`${name}: ${exportName}`, () => {
        fc.assert(fc.property(arbitraryOf({ kind: 'struct', name: codec.name }, model), (v) => {
          expect(roundTrip((w) => codec.encode(w, v), (r) => codec.decode(r))).toEqual(v);
        }));
      });
    }
  }
});

for (const [platform, contract] of Object.entries(contracts)) {
  const codec = contractCodec(contract);
  const { model } = codec;

  describe(`${platform}: every generated codec round-trips any value`, () => {
    for (const method of [...model.interface!.methods, ...model.events!.methods]) {
      const isEvent = model.events!.methods.includes(method);
      const methodCodec = (isEvent ? codec.events : codec.methods)[method.name]!;
      const kind = isEvent ? 'event' : 'call';

      it(`${kind} ${method.name}: parameters`, () => {
        const params = fc.tuple(...method.params.map((p) => arbitraryOf(p.type, model)));
        fc.assert(fc.property(params, (args) => {
          const decoded = roundTrip(
            (w) => (methodCodec.encodeParams as (w: unknown, ...a: unknown[]) => void)(w, ...args),
            (r) => methodCodec.decodeParams(r),
          );
          expect(decoded).toEqual(args);
        }));
      });

      if (method.kind === 'call') {
        it(`call ${method.name}: reply`, () => {
          fc.assert(fc.property(resultsOf(method, model), (result) => {
            const decoded = roundTrip((w) => methodCodec.encodeResult(w, result as never), (r) => methodCodec.decodeResult(r));
            expect(decoded).toEqual(result);
          }));
        });
      }
    }
  });
}

describe('strings', () => {
  it('keep a leading U+FEFF, short or long (a std::string keeps its bytes)', () => {
    for (const s of ['\uFEFFx', `\uFEFF${'é'.repeat(40)}`]) {
      const settings = { configurationFile: s, sensorModel: s };
      expect(runtime.decode(runtime.IPASettings, runtime.encode(runtime.IPASettings, settings).data)).toEqual(settings);
    }
  });
});
