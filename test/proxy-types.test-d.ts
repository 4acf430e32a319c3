import { describe, expectTypeOf, it } from 'vitest';
import type { EventSender, Flags, i32, IPAClosedError, IPACrashedError, IPAImplementation, IPAProxy, IPARecoveryError, SharedFD, u32 } from '../dist/runtime/index.js';
import { createProxy, defineIPA, IPAManager } from '../dist/runtime/index.js';
import { IPAVimcInterface, TestFlag } from '../dist/platforms/vimc/contract.js';

declare const ipa: IPAProxy<IPAVimcInterface>;
declare const fd: SharedFD;

describe('proxies are typed from the contract class', () => {
  it('calls take the contract parameter types and return its results', () => {
    ipa.computeParams(3, 1);
    // @ts-expect-error a string is not a u32
    ipa.computeParams('3', 1);
    // @ts-expect-error too few arguments
    ipa.computeParams(3);
    expectTypeOf(ipa.start).returns.toEqualTypeOf<Promise<i32>>();
    expectTypeOf(ipa.init).returns.resolves.toEqualTypeOf<{ ret: i32; outFlags: Flags<TestFlag> }>();
    expectTypeOf(ipa.queueRequest).returns.toEqualTypeOf<void>();
    // @ts-expect-error not a call of this contract
    void ipa.processStats;
    void ipa.init({ configurationFile: '', sensorModel: '' }, fd, 1, TestFlag.Flag1);
  });

  it('event listeners get the event parameter types; unknown events do not compile', () => {
    ipa.on('paramsComputed', (bufferId, flags) => {
      expectTypeOf(bufferId).toEqualTypeOf<u32>();
      expectTypeOf(flags).toEqualTypeOf<Flags<TestFlag>>();
    });
    // @ts-expect-error the contract has no such event
    ipa.on('metadataReady', () => {});
    // @ts-expect-error paramsComputed does not pass a string
    ipa.on('paramsComputed', (bufferId: string) => void bufferId);
    ipa.on('crashed', (error) => expectTypeOf(error.exitCode).toEqualTypeOf<number | null>());
  });

  it('createProxy returns the proxy type of the contract', () => {
    expectTypeOf(createProxy(IPAVimcInterface, { module: 'ipa.js' })).resolves.toEqualTypeOf<IPAProxy<IPAVimcInterface>>();
  });

  it('so does the IPA manager, whose options are the proxy options plus the pipeline and versions', () => {
    const manager = new IPAManager();
    expectTypeOf(manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', minVersion: 0, recovery: { maxRestarts: 2 } })).resolves.toEqualTypeOf<IPAProxy<IPAVimcInterface>>();
    // @ts-expect-error the pipeline is needed
    void manager.createIPA(IPAVimcInterface, { isolation: 'thread' });
    // @ts-expect-error the module is the manager's to find
    void manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', module: 'ipa.js' });
  });

  it('recovery events are typed', () => {
    ipa.on('recovered', (info) => expectTypeOf(info.restarts).toEqualTypeOf<number>());
    ipa.on('recoveryFailed', (error) => expectTypeOf(error).toEqualTypeOf<IPARecoveryError>());
    expectTypeOf(ipa.failure).toEqualTypeOf<IPACrashedError | IPAClosedError | IPARecoveryError | undefined>();
    ipa.on('protocolError', (error) => expectTypeOf(error).toEqualTypeOf<Error>());
    expectTypeOf(ipa.declareHung).parameters.toEqualTypeOf<[reason: string]>();
    expectTypeOf(ipa.reportMisbehaviour).parameters.toEqualTypeOf<[error: Error]>();
    // @ts-expect-error a hung IPA is declared with a reason
    ipa.declareHung();
    // @ts-expect-error a sandbox setting that does not exist
    void createProxy(IPAVimcInterface, { module: 'ipa.js', sandbox: { allowWrite: ['/tmp'] } });
  });

  it('an IPA implements every call; it may answer directly or with a promise', () => {
    const partial = (events: EventSender<IPAVimcInterface>): IPAImplementation<IPAVimcInterface> => {
      events.paramsComputed(1, TestFlag.Flag2);
      // @ts-expect-error the event takes a u32 and flags
      events.paramsComputed('1');
      // @ts-expect-error computeParams and others are missing
      return { init: () => ({ ret: 0, outFlags: 0 }), start: async () => 0, stop: () => {} };
    };
    void defineIPA(IPAVimcInterface, partial);
  });
});
