import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeSourceFile, rules, toTsDiagnostic } from '../dist/transformer/index.js';
import { root } from './support';

const dir = path.join(root, 'test/fixtures/diagnostics');

/** Each fixture breaks one rule, on the line marked `// <- rule`, and the message must say this. */
const expectations: Record<string, string> = {
  'plain-number.ts': "field 'gain' of struct 'Exposure' is a plain 'number', which has no wire width. Use u8, u16, u32, i8, i16, i32, f32 or f64",
  'plain-bigint.ts': "field 'ns' of struct 'Timestamp' is a plain 'bigint', which has no wire width. Use u64 or i64",
  'width-mismatch.ts': "field 'value' of struct 'Counter' is a 'bigint' declared with the u32 width",
  'width-mismatch-64.ts': "field 'value' of struct 'Counter' is declared u64 on a 'number'; 64-bit integers are bigints",
  'unsupported-type.ts': "field 'capturedAt' of struct 'Frame' is a Date, which the wire format does not carry",
  'union.ts': "field 'value' of struct 'Choice' is a union",
  'optional.ts': "field 'value' of struct 'Maybe' is optional; every field is always sent. Remove the '?'.",
  'optional-undefined.ts': "field 'value' of struct 'Maybe' may be undefined or null",
  'any.ts': "field 'value' of struct 'Loose' is 'any'; the wire format needs a concrete type.",
  'unknown.ts': "field 'value' of struct 'Loose' is 'unknown'",
  'index-signature.ts': "field 'entries' of struct 'Table' ('{ [name: string]: u32; }') has an index signature; use Map<K, V>",
  'function-type.ts': "field 'onFrame' of struct 'Callback' is a function",
  'not-a-struct.ts': "field 'plain' of struct 'Holder' has type 'Plain', a class that is not declared as a struct. Add @struct() to it.",
  'map-key.ts': "field 'bySize' of struct 'Lookup' has keys of type 'Size'; map keys must be numbers, strings, bools or enums",
  'recursive-struct.ts': "the elements of field 'children' of struct 'Node' makes struct 'Node' contain itself",
  'struct-member.ts': "struct 'WithMethod' declares 'double', which is not a field; structs hold data only",
  'missing-method.ts': "interface 'NoStop' has no 'stop' method; libcamera requires init(), start() and stop().",
  'stop-signature.ts': "'BadStop.stop' must take no parameters and return Promise<void>.",
  'method-return.ts': "'Sync.compute' must return Promise<T> (a call with a reply) or void (a one-way call), not u32.",
  'method-kind.ts': "'OneWayInit.init' must return a Promise: libcamera calls it synchronously.",
  'duplicate-name.ts': "'Overloads.queue' is declared twice",
  'events-missing.ts': "'object' is not an event interface: declare it as an @ipaEvents() abstract class.",
  'events-empty.ts': "event interface 'Events' declares no events; libcamera requires at least one.",
  'event-return.ts': "event 'Events.done' must return void: events are one-way",
  'interface-shape.ts': "'Concrete' may only declare abstract methods; 'frames' is not one.",
  'module-name.ts': "module name 'not a name' must be an identifier",
  'enum-values.ts': "enum 'Mode' member 'Off' is -1; enums travel as u32",
  'name-collision.ts': "'encodeSize' is a name the generated code of struct 'Size' uses; rename this declaration.",
  'decorator-call.ts': '@struct must be called: write @struct().',
  'parameter.ts': "parameters of 'Params.queue' must be plain, required and named",
  'array-element.ts': "the elements of field 'weights' of struct 'Histogram' is a plain 'number'",
  'promise-result.ts': "result 'gain' of 'Results.init' is a plain 'number'",
  'reserved-name.ts': "'Reserved.close': the proxy has a 'close' of its own (its controls, EventEmitter's or Object's members), which a call of that name would replace. Rename the call.",
  'reserved-event-name.ts': "event 'Events.error': the name is taken (the proxy's own events 'crashed', 'protocolError', 'recovered' and 'recoveryFailed', EventEmitter's 'error', 'newListener' and 'removeListener', and Object's members). Rename the event.",
};

function markedLine(text: string): { line: number; rule: string } | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /\/\/ <- ([a-z-]+)/.exec(lines[i]!);
    if (m) return { line: i + 1, rule: m[1]! };
  }
  return null;
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  strict: true,
  noEmit: true,
  types: [],
  skipLibCheck: true,
};
const program = ts.createProgram(files.map((f) => path.join(dir, f)), options);
const checker = program.getTypeChecker();

describe('contract diagnostics', () => {
  it('every fixture has an expectation and every rule is exercised', () => {
    expect(Object.keys(expectations).sort()).toEqual(files);
    const exercised = new Set(files.map((f) => markedLine(fs.readFileSync(path.join(dir, f), 'utf8'))?.rule ?? 'events'));
    const untested = Object.keys(rules).filter((r) => !exercised.has(r) && r !== 'foreign-struct');
    expect(untested).toEqual([]);
  });

  it('the fixtures are otherwise valid TypeScript', () => {
    // An uncalled decorator factory is a TypeScript error too; ts-ipa's message names the fix as well.
    const errors = files
      .filter((f) => f !== 'decorator-call.ts')
      .flatMap((f) => program.getSemanticDiagnostics(program.getSourceFile(path.join(dir, f))));
    expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

  for (const file of files) {
    it(`${file}: reports its rule at its line with a message that says how to fix it`, () => {
      const source = program.getSourceFile(path.join(dir, file))!;
      const analysis = analyzeSourceFile(ts, checker, source);
      expect(analysis.model).toBeNull();
      expect(analysis.diagnostics.length).toBeGreaterThan(0);
      const [first] = analysis.diagnostics;
      const marked = markedLine(source.text);
      const expectedRule = marked?.rule ?? 'events';
      expect(first!.rule).toBe(expectedRule);
      expect(first!.message).toContain(expectations[file]);
      if (marked) {
        const { line } = source.getLineAndCharacterOfPosition(first!.start);
        expect(line + 1).toBe(marked.line);
      }
      const diagnostic = toTsDiagnostic(ts, first!);
      expect(diagnostic.code).toBe(rules[expectedRule as keyof typeof rules]);
      expect(String(diagnostic.messageText)).toMatch(new RegExp(`^\\[ts-ipa/${expectedRule}\\] `));
    });
  }

  it('fail a tspc build with file, line and rule', () => {
    const project = path.join(dir, 'tsconfig.json');
    fs.writeFileSync(project, JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { noEmit: false, outDir: '../../../dist/diagnostics-fixture', rootDir: '../../..', incremental: false, declaration: false, sourceMap: false, plugins: [{ transform: '../../../dist/transformer/plugin.js' }] },
      files: ['plain-number.ts'],
    }));
    try {
      const result = spawnSync(process.execPath, [require.resolve('ts-patch/bin/tspc.js'), '-p', project], { cwd: root, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain("test/fixtures/diagnostics/plain-number.ts(5,10): error TS99001: [ts-ipa/plain-number] field 'gain' of struct 'Exposure' is a plain 'number'");
    } finally {
      fs.rmSync(project);
    }
  });
});
