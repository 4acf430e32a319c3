/**
 * Moving an IPA between modes must not change what it computes: the same random calls, valid
 * and not, run against the same IPA in direct, thread and process modes, and every result,
 * every error (class and message) and every event must be the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, runtime } from './support';
import { controlInfoMap, controlList } from './arbitraries';
import { ParityInterface } from '../dist/test/contracts/parity.js';
import { describeValue } from '../dist/test/contracts/parity-ipa.js';

const { createProxy, SharedFD, FrameBufferPlane, ControlList, ControlValue, controls, controlIds } = runtime;
type Proxy = runtime.IPAProxy<ParityInterface>;

const modes = ['direct', 'thread', 'process'] as const;
const ipaModule = path.join(root, 'dist/test/contracts/parity-ipa.js');

// ---- values: each type's valid values, and what its writer must refuse or convert ----------
// A value is wrong one time in a dozen or so, so that a struct of many fields is often right.

const junk = fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -0, 0.5, -1, 2 ** 32, 2 ** 53, '1', true, 1n, {}, []);
const integer = (min: number, max: number): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min, max }) },
  fc.constant(-0),
  fc.integer({ min: min - 1000, max: min - 1 }),
  fc.integer({ min: max + 1, max: max + 1000 }),
  fc.double(),
  junk,
);
const bigint = (min: bigint, max: bigint): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 30, arbitrary: fc.bigInt({ min, max }) },
  fc.bigInt({ min: max + 1n, max: max + 1000n }),
  fc.bigInt({ min: min - 1000n, max: min - 1n }),
  junk,
);
const float = fc.oneof({ weight: 20, arbitrary: fc.double() }, { weight: 5, arbitrary: fc.constantFrom(0.1, 1e40, -1e-50, -0, NaN) }, junk);
const text = fc.oneof(
  { weight: 20, arbitrary: fc.string() },
  { weight: 5, arbitrary: fc.string({ unit: 'binary' }) },
  fc.string({ minLength: 2000, maxLength: 4000 }),
  { weight: 3, arbitrary: fc.constantFrom('\uFEFFbom', 'lone \uD800 surrogate', 'x'.repeat(70_000)) },
  junk,
);
const bool = fc.oneof({ weight: 20, arbitrary: fc.boolean() }, junk);
const valid = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 20, arbitrary }, junk);

const u32 = integer(0, 0xffffffff);
const inner = valid(fc.record({ level: integer(-0x8000, 0x7fff), gain: float, label: text })
  .chain((v) => fc.constantFrom(v, { ...v, undeclared: 'is not sent' })));

/** Opened once: an fd that is valid here, to send. */
let devNull = -1;
const fd = fc.constantFrom('valid', 'valid', 'invalid', 'plain', 'none').map((kind) => (
  kind === 'valid' ? new SharedFD(devNull) : kind === 'invalid' ? SharedFD.invalid : kind === 'plain' ? { fd: -1 } : null));

/** As the class or as a plain object, whose fd the plane element's check looks into first. */
const plane = valid(fc.tuple(fd, u32, u32, fc.boolean()).map(([f, offset, length, plain]) => (
  plain ? { fd: f, offset, length } : new FrameBufferPlane(f as never, offset as number, length as number))));
const limits = fc.oneof({ weight: 20, arbitrary: controlInfoMap }, junk);

/** A list whose value is not its control's type: the sender takes it, the receiver refuses it. */
const mistyped = fc.constant(null).map(() => new ControlList(controlIds).setValue(controls.Brightness.id, ControlValue.i32(3)));
const controlLists = fc.oneof({ weight: 20, arbitrary: controlList }, { weight: 2, arbitrary: mistyped }, fc.constantFrom<unknown>({ size: 0 }, null, 7));

const mapOf = (key: fc.Arbitrary<unknown>, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  valid(fc.array(fc.tuple(key, value), { maxLength: 4 }).map((entries) => new Map(entries)));
const outer = valid(fc.record({
  name: text,
  inner,
  history: valid(fc.array(inner, { maxLength: 3 })),
  byId: mapOf(u32, inner),
  // 0.1 and the f32 nearest it are two keys here and one on the wire.
  weights: fc.oneof({ weight: 4, arbitrary: mapOf(float, text) }, fc.constant(new Map([[0.1, 'a'], [0.10000000149011612, 'b']]))),
  shade: fc.oneof(fc.constantFrom(0, 7), integer(0, 0xffffffff)),
  shades: u32,
  on: bool,
  big: bigint(0n, 2n ** 64n - 1n),
  fd,
  plane,
  controls: controlLists,
  limits,
}));

const command = fc.oneof(
  fc.tuple(fc.constant('numbers'), fc.tuple(
    integer(0, 0xff), integer(-0x80, 0x7f), integer(0, 0xffff), integer(-0x8000, 0x7fff), u32,
    integer(-0x80000000, 0x7fffffff), float, float, bigint(0n, 2n ** 64n - 1n), bigint(-(2n ** 63n), 2n ** 63n - 1n),
  )),
  fc.tuple(fc.constant('table'), fc.tuple(mapOf(text, valid(fc.array(float, { maxLength: 3 }))), valid(fc.array(bool, { maxLength: 3 })), controlLists)),
  fc.tuple(fc.constant('buffers'), fc.tuple(
    valid(fc.array(plane, { maxLength: 3 })), plane, valid(fc.array(fd, { maxLength: 3 })), limits,
    mapOf(fc.oneof(fc.constantFrom(0, 7), integer(0, 0xffffffff)), bool),
  )),
  fc.tuple(fc.constant('outer'), fc.tuple(outer)),
  // The IPA halves the value into an i16 result: an odd or large one is a reply it cannot send.
  fc.tuple(fc.constant('reply'), fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -35_000, max: 35_000 }).map((n) => n * 2) }, float), text)),
  fc.tuple(fc.constant('echo'), fc.tuple(fc.oneof(integer(-0x8000, 0x7fff), float), float, text)),
  fc.tuple(fc.constant('echoOuter'), fc.tuple(outer)),
);

// ---- outcomes: what a mode made of the calls, as text to compare -------------------------

/**
 * An error as the caller sees it; a crash by its cause, since how it ended and who told differ
 * by mode (a worker process that exits before its farewell is read is explained from its
 * stderr: the same words, after the worker's name and with the error's class).
 */
function errorOf(error: unknown): string {
  if (!(error instanceof Error)) return `non-error ${describeValue(error)}`;
  const crash = /^the IPA (?:failed|worker exited with code \d+) \((.*)\)$/.exec(error.message);
  if (!(error instanceof runtime.IPACrashedError) || !crash) return `${error.constructor.name}: ${error.message}`;
  const cause = crash[1]!.replace(/^ts-ipa worker (?:thread )?\([^)]*\): /, '').replace(/^(\w+: )\w*Error: /, '$1');
  return `${error.constructor.name}: ${cause}`;
}

interface Mode {
  proxy: Proxy;
  /** Events and protocol errors, in the order they reached the caller. */
  heard: string[];
}

async function open(isolation: (typeof modes)[number]): Promise<Mode> {
  const proxy = await createProxy(ParityInterface, { module: ipaModule, isolation, timeoutMs: 30_000 });
  const heard: string[] = [];
  for (const event of ['echoed', 'outer', 'refused'] as const) {
    proxy.on(event, (...args: unknown[]) => heard.push(`event ${event} ${describeValue(args)}`));
  }
  proxy.on('protocolError', (error) => heard.push(`protocolError ${errorOf(error)}`));
  return { proxy, heard };
}

async function run({ proxy, heard }: Mode, commands: [string, unknown[]][]): Promise<string[]> {
  const outcomes: string[] = [];
  /**
   * A call's reply comes after every event sent before it, and a one-way call that ended the IPA
   * fails the call after it: a mode's crash is then known before the next command, in every mode.
   */
  const barrier = async (): Promise<void> => {
    try {
      await proxy.init();
    } catch (error) {
      outcomes.push(`init threw ${errorOf(error)}`);
    }
  };
  for (const [name, args] of commands) {
    const before = describeValue(args);
    try {
      const returned = (proxy as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      if (returned === undefined) {
        outcomes.push(`${name} sent`);
        await barrier();
      } else {
        outcomes.push(`${name} returned ${describeValue(await returned)}`);
      }
    } catch (error) {
      outcomes.push(`${name} threw ${errorOf(error)}`);
    }
    // The IPA changed its copy; the caller's value is the caller's.
    if (describeValue(args) !== before) outcomes.push(`${name} changed the caller's arguments: ${describeValue(args)}`);
  }
  await barrier();
  await new Promise((resolve) => setImmediate(resolve));
  if (proxy.failure) {
    outcomes.push('restarted');
    await proxy.restart();
  }
  return [...outcomes, ...heard.splice(0)];
}

describe('direct, thread and process modes', () => {
  const opened: Partial<Record<(typeof modes)[number], Mode>> = {};
  beforeAll(async () => {
    devNull = fs.openSync('/dev/null', 'r');
    for (const mode of modes) opened[mode] = await open(mode);
  });
  afterAll(async () => {
    await Promise.all(Object.values(opened).map((m) => m.proxy.close()));
    if (devNull >= 0) fs.closeSync(devNull);
  });

  it('compute the same from the same calls: results, errors and events', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 4 }), async (commands) => {
      const outcomes: Record<string, string[]> = {};
      // One after another: a mode that let the IPA change the caller's values would change the next mode's input.
      for (const mode of modes) outcomes[mode] = await run(opened[mode]!, commands as [string, unknown[]][]);
      expect(outcomes.direct).toEqual(outcomes.process);
      expect(outcomes.thread).toEqual(outcomes.process);
    }), { numRuns: 200 });
  }, 180_000);
});
