/**
 * The algorithm interface of libcamera's libipa (src/ipa/libipa/algorithm.h, module.h): every IPA
 * algorithm (Agc, Awb, Ccm, …) is an Algorithm of its IPA's module types, and the IPA creates
 * them from its tuning file's `algorithms:` list by name (libcamera's Module::createAlgorithms
 * and REGISTER_IPA_ALGORITHM).
 */
import type { ControlList } from '../runtime/controls/control-list';
import { IPAError } from '../runtime/errors';
import { TuningError, type TuningValue, kindOf, isDict, isList, keyPath } from './tuning';

/**
 * The types one IPA's algorithms share (libcamera's Module template parameters): its global
 * context, its per-frame context, what configure() receives, the parameters buffer prepare()
 * fills and the statistics process() reads.
 */
export interface ModuleTypes {
  Context: unknown;
  FrameContext: unknown;
  Config: unknown;
  Params: unknown;
  Stats: unknown;
}

/**
 * One IPA algorithm. Every method does nothing by default, as libcamera's. init() and
 * configure() return 0 or a negative errno as libcamera's, or may throw (a TuningError for bad
 * tuning data); returning nothing counts as 0.
 */
export abstract class Algorithm<M extends ModuleTypes> {
  /**
   * Reads this algorithm's tuning data (the value under its name in `algorithms:`, `{}` when it
   * has none). `path` is where that sits in the tuning file, e.g. `algorithms[3].Awb`, for errors.
   */
  init(_context: M['Context'], _tuningData: TuningValue, _path: string): number | void {
    return 0;
  }

  configure(_context: M['Context'], _config: M['Config']): number | void {
    return 0;
  }

  /** A request's controls, as it is queued for `frame`. */
  queueRequest(_context: M['Context'], _frame: number, _frameContext: M['FrameContext'], _controls: ControlList): void {}

  /** Fills the ISP parameters for `frame`. */
  prepare(_context: M['Context'], _frame: number, _frameContext: M['FrameContext'], _params: M['Params']): void {}

  /** Reads `frame`'s statistics (null when the ISP gave none, libcamera's nullptr) and reports metadata. */
  process(_context: M['Context'], _frame: number, _frameContext: M['FrameContext'], _stats: M['Stats'] | null, _metadata: ControlList): void {}
}

/** Makes a fresh algorithm (libcamera's AlgorithmFactory::create). */
export type AlgorithmFactory<M extends ModuleTypes> = () => Algorithm<M>;

/** A tuning file names an algorithm the IPA does not have. */
export class UnknownAlgorithmError extends TuningError {
  override name = 'UnknownAlgorithmError';
  constructor(
    path: string,
    readonly algorithm: string,
    known: readonly string[],
  ) {
    super(path, `Algorithm '${algorithm}' not found (known: ${known.length ? known.join(', ') : 'none'})`);
  }
}

/** An algorithm's init() returned an error code. */
export class AlgorithmInitError extends IPAError {
  override name = 'AlgorithmInitError';
  constructor(
    readonly algorithm: string,
    readonly code: number,
  ) {
    super(`Algorithm '${algorithm}' failed to initialize (${code})`);
  }
}

/**
 * The algorithms one IPA can create, by the name a tuning file gives them (libcamera keeps one
 * static list per Module type, filled by REGISTER_IPA_ALGORITHM). Registering a name twice is an
 * error here; libcamera would silently use the first.
 */
export class AlgorithmRegistry<M extends ModuleTypes> {
  readonly #factories = new Map<string, AlgorithmFactory<M>>();

  register(name: string, factory: AlgorithmFactory<M>): this {
    if (this.#factories.has(name)) throw new IPAError(`Algorithm '${name}' is already registered`);
    this.#factories.set(name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  get names(): string[] {
    return [...this.#factories.keys()];
  }

  create(name: string): Algorithm<M> | undefined {
    return this.#factories.get(name)?.();
  }
}

/**
 * An IPA's algorithms, created from its tuning file (libcamera's Module). createAlgorithms()
 * reads the `algorithms:` list: each entry a dictionary of one algorithm name to that algorithm's
 * tuning data. An entry with `enabled: false` is skipped (listed in `disabled`). The algorithms
 * are created and init()ed in list order; on any failure none are kept, as libcamera clears its
 * list, and the error is thrown.
 *
 * Departures from libcamera, which would otherwise carry on or crash: `algorithms` that is not a
 * list is a TuningError (libcamera sees an empty list); an entry with more than one key is a
 * TuningError (libcamera takes the first); an `enabled` that is not true or false is a
 * TuningError (libcamera treats it as true); an entry with no data (`- Agc:`, YAML null) gets
 * `{}` (libcamera's empty node).
 */
export class Module<M extends ModuleTypes> {
  #algorithms: Algorithm<M>[] = [];
  #disabled: string[] = [];

  constructor(readonly registry: AlgorithmRegistry<M>) {}

  get algorithms(): readonly Algorithm<M>[] {
    return this.#algorithms;
  }

  /** Names of the algorithms the tuning file disabled. */
  get disabled(): readonly string[] {
    return this.#disabled;
  }

  createAlgorithms(context: M['Context'], algorithms: unknown, path = 'algorithms'): void {
    this.#algorithms = [];
    this.#disabled = [];
    try {
      if (!isList(algorithms)) throw new TuningError(path, `expected a list of algorithms, got ${kindOf(algorithms)}`);
      algorithms.forEach((entry, i) => this.#createAlgorithm(context, entry, keyPath(path, i)));
    } catch (error) {
      this.#algorithms = [];
      this.#disabled = [];
      throw error;
    }
  }

  #createAlgorithm(context: M['Context'], entry: unknown, at: string): void {
    if (!isDict(entry)) throw new TuningError(at, `Invalid YAML syntax for algorithm: expected a dictionary, got ${kindOf(entry)}`);
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw new TuningError(at, `expected one algorithm name, got ${keys.length ? keys.join(', ') : 'none'}`);
    const name = keys[0] as string;
    const dataPath = keyPath(at, name);
    const raw = entry[name];
    if (raw !== null && raw !== undefined && !isDict(raw)) throw new TuningError(dataPath, `expected a dictionary of tuning data, got ${kindOf(raw)}`);
    const data: TuningValue = raw ?? {};
    const enabled = data['enabled'];
    if (enabled !== undefined && typeof enabled !== 'boolean') throw new TuningError(keyPath(dataPath, 'enabled'), `expected true or false, got ${kindOf(enabled)}`);
    if (enabled === false) {
      this.#disabled.push(name);
      return;
    }
    const algo = this.registry.create(name);
    if (!algo) throw new UnknownAlgorithmError(at, name, this.registry.names);
    const ret = algo.init(context, data, dataPath) ?? 0;
    if (ret !== 0) throw new AlgorithmInitError(name, ret);
    this.#algorithms.push(algo);
  }
}
