import { describe, expect, it } from 'vitest';
import { Algorithm, AlgorithmInitError, AlgorithmRegistry, Module, UnknownAlgorithmError, type ModuleTypes } from '../../dist/ipa/algorithm.js';
import { TuningError, type TuningValue } from '../../dist/ipa/tuning.js';
import { runtime } from '../support';

interface Types extends ModuleTypes {
  Context: { log: string[] };
  FrameContext: { gain: number };
  Config: { width: number };
  Params: { out: number[] };
  Stats: { mean: number };
}

class Recorder extends Algorithm<Types> {
  constructor(readonly tag: string) {
    super();
  }
  override init(context: Types['Context'], tuningData: TuningValue, path: string): number {
    context.log.push(`${this.tag} init ${JSON.stringify(tuningData)} at ${path}`);
    return 0;
  }
}

class Failing extends Algorithm<Types> {
  override init(): number {
    return -22;
  }
}

class Strict extends Algorithm<Types> {
  override init(_c: Types['Context'], data: TuningValue, path: string): void {
    if (typeof (data as { speed?: unknown }).speed !== 'number') throw new TuningError(`${path}.speed`, 'expected a number');
  }
}

/** Only overrides nothing: every stage must be callable and do nothing. */
class Quiet extends Algorithm<Types> {}

function registry() {
  return new AlgorithmRegistry<Types>()
    .register('Agc', () => new Recorder('agc'))
    .register('Awb', () => new Recorder('awb'))
    .register('Bad', () => new Failing())
    .register('Strict', () => new Strict())
    .register('Quiet', () => new Quiet());
}

describe('Module.createAlgorithms', () => {
  it('creates and inits the listed algorithms in order, with their data and path', () => {
    const context = { log: [] as string[] };
    const module = new Module(registry());
    module.createAlgorithms(context, [{ Awb: { speed: 0.2 } }, { Agc: null }]);
    expect(module.algorithms.map((a) => (a as Recorder).tag)).toEqual(['awb', 'agc']);
    expect(context.log).toEqual(['awb init {"speed":0.2} at algorithms[0].Awb', 'agc init {} at algorithms[1].Agc']);
  });

  it('skips an algorithm with enabled: false, even an unknown one', () => {
    const module = new Module(registry());
    module.createAlgorithms({ log: [] }, [{ Agc: { enabled: false } }, { Nope: { enabled: false } }, { Awb: { enabled: true } }]);
    expect(module.algorithms).toHaveLength(1);
    expect(module.disabled).toEqual(['Agc', 'Nope']);
  });

  it('names an unknown algorithm and keeps none', () => {
    const module = new Module(registry());
    let error: unknown;
    try {
      module.createAlgorithms({ log: [] }, [{ Agc: {} }, { Lsc: {} }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownAlgorithmError);
    expect(error).toBeInstanceOf(TuningError);
    expect((error as UnknownAlgorithmError).algorithm).toBe('Lsc');
    expect((error as Error).message).toBe("algorithms[1]: Algorithm 'Lsc' not found (known: Agc, Awb, Bad, Strict, Quiet)");
    expect(module.algorithms).toHaveLength(0);
  });

  it('rejects malformed entries with the key path', () => {
    const create = (list: unknown) => new Module(registry()).createAlgorithms({ log: [] }, list);
    expect(() => create({ Agc: {} })).toThrow('algorithms: expected a list of algorithms, got a dictionary');
    expect(() => create([{ Agc: {} }, 'Awb'])).toThrow('algorithms[1]: Invalid YAML syntax for algorithm: expected a dictionary, got string "Awb"');
    expect(() => create([{ Agc: {}, Awb: {} }])).toThrow('algorithms[0]: expected one algorithm name, got Agc, Awb');
    expect(() => create([{}])).toThrow('algorithms[0]: expected one algorithm name, got none');
    expect(() => create([{ Agc: [1, 2] }])).toThrow('algorithms[0].Agc: expected a dictionary of tuning data');
    expect(() => create([{ Agc: { enabled: 'no' } }])).toThrow('algorithms[0].Agc.enabled: expected true or false');
  });

  it('reports an init error code and a TuningError thrown by init, keeping none', () => {
    const module = new Module(registry());
    expect(() => module.createAlgorithms({ log: [] }, [{ Agc: {} }, { Bad: {} }])).toThrow(AlgorithmInitError);
    expect(() => module.createAlgorithms({ log: [] }, [{ Bad: {} }])).toThrow("Algorithm 'Bad' failed to initialize (-22)");
    expect(module.algorithms).toHaveLength(0);
    expect(() => module.createAlgorithms({ log: [] }, [{ Strict: {} }])).toThrow('algorithms[0].Strict.speed: expected a number');
    module.createAlgorithms({ log: [] }, [{ Strict: { speed: 1 } }]);
    expect(module.algorithms).toHaveLength(1);
  });

  it('recreates from scratch on a second call', () => {
    const module = new Module(registry());
    module.createAlgorithms({ log: [] }, [{ Agc: {} }, { Awb: {} }]);
    module.createAlgorithms({ log: [] }, [{ Awb: {} }]);
    expect(module.algorithms).toHaveLength(1);
  });
});

describe('AlgorithmRegistry and Algorithm defaults', () => {
  it('refuses a name registered twice', () => {
    expect(() => registry().register('Agc', () => new Quiet())).toThrow("Algorithm 'Agc' is already registered");
  });

  it('creates a new instance each time', () => {
    const r = registry();
    expect(r.create('Agc')).not.toBe(r.create('Agc'));
    expect(r.create('Missing')).toBeUndefined();
  });

  it('has stages that do nothing and succeed by default', () => {
    const q = new Quiet();
    const context = { log: [] };
    const fc = { gain: 1 };
    const params = { out: [] as number[] };
    const metadata = new runtime.ControlList();
    expect(q.init(context, {}, 'x')).toBe(0);
    expect(q.configure(context, { width: 1 })).toBe(0);
    q.queueRequest(context, 0, fc, new runtime.ControlList());
    q.prepare(context, 0, fc, params);
    q.process(context, 0, fc, null, metadata);
    expect([fc, params.out, metadata.size]).toEqual([{ gain: 1 }, [], 0]);
  });
});
