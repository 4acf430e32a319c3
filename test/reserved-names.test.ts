import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeSourceFile } from '../dist/transformer/index.js';
import { root, runtime } from './support';
import { IPAVimcInterface } from '../dist/platforms/vimc/contract.js';
import { RESERVED_CALL_NAMES, RESERVED_EVENT_NAMES } from '../dist/runtime/reserved-names.js';

const testIpa = path.join(root, 'dist/test/contracts/vimc-test-ipa.js');

/** Every name an object answers to, its own and its prototypes', Object.prototype's included. */
function namesOf(value: object): Set<string> {
  const names = new Set<string>();
  for (let at: object | null = value; at; at = Object.getPrototypeOf(at)) {
    for (const name of Object.getOwnPropertyNames(at)) names.add(name);
  }
  return names;
}

describe('the names a contract cannot use', () => {
  it('cover every member of every kind of proxy, besides its calls', async () => {
    const calls = new Set(runtime.contractModel(IPAVimcInterface).interface!.methods.map((m) => m.name));
    const missing: string[] = [];
    for (const isolation of ['direct', 'thread', 'process'] as const) {
      for (const recovery of [undefined, { maxRestarts: 1 }]) {
        const proxy = await runtime.createProxy(IPAVimcInterface, { module: testIpa, isolation, recovery });
        for (const name of namesOf(proxy)) {
          if (!calls.has(name) && !RESERVED_CALL_NAMES.has(name)) missing.push(`${isolation}${recovery ? ' with recovery' : ''}: ${name}`);
        }
        await proxy.close();
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('a contract that uses one', () => {
  // Every reserved name at once, in one contract: each must be refused at its own declaration.
  // ('constructor' cannot be declared as a method at all.)
  const callNames = [...RESERVED_CALL_NAMES].filter((name) => name !== 'constructor');
  const eventNames = [...RESERVED_EVENT_NAMES].filter((name) => name !== 'constructor');

  it('is refused by the transformer, at each name, for every reserved call and event name', () => {
    const file = path.join(root, 'test', `.reserved-names-${process.pid}.ts`);
    fs.writeFileSync(file, `
import { IPAInterface, ipaEvents, ipaInterface, type u32 } from '../runtime';
@ipaEvents()
export abstract class Events {
  abstract done(frame: u32): void;
${eventNames.map((name) => `  abstract ${name}(frame: u32): void;`).join('\n')}
}
@ipaInterface('reserved')
export abstract class Reserved extends IPAInterface<Events> {
  abstract init(): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
${callNames.map((name) => `  abstract ${name}(frame: u32): void;`).join('\n')}
}
`);
    try {
      const program = ts.createProgram([file], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, noEmit: true, types: [], skipLibCheck: true });
      const source = program.getSourceFile(file)!;
      const { diagnostics } = analyzeSourceFile(ts, program.getTypeChecker(), source);
      const refused = diagnostics.filter((d) => d.rule === 'reserved-name').map((d) => source.text.slice(d.start, d.start + d.length));
      expect(refused.sort()).toEqual([...eventNames, ...callNames].sort());
      expect(diagnostics.filter((d) => d.rule !== 'reserved-name')).toEqual([]);
    } finally {
      fs.rmSync(file);
    }
  });

  it('is refused by createProxy too, when its model was not built by this transformer', async () => {
    const start = runtime.contractModel(IPAVimcInterface).interface!.methods.find((m) => m.name === 'start')!;
    const event = runtime.contractModel(IPAVimcInterface).events!.methods[0]!;
    const [startName, eventName] = [start.name, event.name];
    start.name = 'close';
    event.name = 'error';
    try {
      for (const isolation of ['direct', 'thread', 'process'] as const) {
        await expect(runtime.createProxy(IPAVimcInterface, { module: testIpa, isolation })).rejects.toThrow(
          /^IPAVimcInterface: call 'close', event 'error' would replace the proxy's own: rename, and rebuild with the transformer/,
        );
      }
    } finally {
      [start.name, event.name] = [startName, eventName];
    }
  });
});
