import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeSourceFile, emitModule } from '../dist/transformer/index.js';
import { root, runtime } from './support';

function analyze(file: string) {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true, noEmit: true, types: [], skipLibCheck: true,
  };
  const program = ts.createProgram([path.join(root, file)], options);
  return analyzeSourceFile(ts, program.getTypeChecker(), program.getSourceFile(path.join(root, file))!);
}

describe('generated code', () => {
  it('for the vimc contract reads like hand-written code (snapshot)', async () => {
    const analysis = analyze('platforms/vimc/contract.ts');
    expect(analysis.diagnostics).toEqual([]);
    const code = emitModule({ model: analysis.model!, localStructs: analysis.localStructs, interfaceClass: analysis.interfaceClass });
    await expect(code).toMatchFileSnapshot('__snapshots__/vimc-contract.generated.js');
  });

  it('is what the build appends to the compiled contract', () => {
    const compiled = fs.readFileSync(path.join(root, 'dist/platforms/vimc/contract.js'), 'utf8');
    expect(compiled).toContain('const tsIpa = __importStar(require("../../runtime/internal"));');
    expect(compiled).toContain('function encodeInitCall(w, settings, traceFd, code, inFlags) {');
    expect(compiled).toContain('tsIpa.defineContract(IPAVimcInterface, {');
  });

  it("imports ts-ipa's internal face beside the decorators' declaration, however they were imported", () => {
    expect(analyze('platforms/vimc/contract.ts').runtimeSpecifier).toBe('../../runtime/internal');
    expect(analyze('test/fixtures/runtime-specifier/namespace.ts').runtimeSpecifier).toBe('../../../runtime/internal');
    expect(analyze('test/fixtures/runtime-specifier/declaring-file.ts').runtimeSpecifier).toBe('../../../runtime/internal');
  });

  it('gives a stable model hash that changes with the contract', () => {
    const first = analyze('platforms/vimc/contract.ts').model!;
    expect(analyze('platforms/vimc/contract.ts').model!.hash).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(analyze('platforms/rkisp1/contract.ts').model!.hash).not.toBe(first.hash);
  });
});

describe('the contract model', () => {
  it('numbers commands as libcamera does: methods from 1 in order, events from 1', () => {
    const model = analyze('platforms/vimc/contract.ts').model!;
    expect(model.interface!.methods.map((m) => [m.cmd, m.name, m.kind])).toEqual([
      [1, 'init', 'call'], [2, 'configure', 'call'], [3, 'start', 'call'], [4, 'stop', 'call'],
      [5, 'mapBuffers', 'call'], [6, 'unmapBuffers', 'call'], [7, 'queueRequest', 'oneway'], [8, 'computeParams', 'oneway'],
    ]);
    expect(model.events!.methods.map((m) => [m.cmd, m.name])).toEqual([[1, 'paramsComputed']]);
    expect(model.interface!.methods.find((m) => m.name === 'configure')!.resetsControls).toBe(true);
  });

  it('tells u32 from i32 inside maps, arrays, promises and nested structs', () => {
    const model = analyze('platforms/vimc/contract.ts').model!;
    const init = model.interface!.methods[0]!;
    expect(init.results).toEqual([
      { name: 'ret', type: { kind: 'number', width: 'i32' } },
      { name: 'outFlags', type: { kind: 'flags', enum: 'TestFlag' } },
    ]);
    expect(init.firstResultIsReturnValue).toBe(true);
    const configure = model.interface!.methods[1]!;
    expect(configure.params[1]!.type).toEqual({ kind: 'map', key: { kind: 'number', width: 'u32' }, value: { kind: 'struct', name: 'IPAStream' } });
    expect(model.interface!.methods[5]!.params[0]!.type).toEqual({ kind: 'array', element: { kind: 'number', width: 'u32' } });
    const sensorInfo = model.structs.find((s) => s.name === 'IPACameraSensorInfo')!;
    expect(sensorInfo.fields.find((f) => f.name === 'pixelRate')!.type).toEqual({ kind: 'number', width: 'u64' });
    expect(model.enums.map((e) => e.name).sort()).toEqual(['IPAOperationCode', 'TestFlag']);
  });

  it('records constants', () => {
    const model = analyze('platforms/raspberrypi/contract.ts').model!;
    expect(model.consts).toEqual([{ name: 'MaxLsGridSize', type: { kind: 'number', width: 'u32' }, value: 0x8000 }]);
  });

  it('is what the compiled contract carries', async () => {
    const { IPAVimcInterface } = await import('../dist/platforms/vimc/contract.js');
    expect(runtime.contractModel(IPAVimcInterface)).toEqual(analyze('platforms/vimc/contract.ts').model);
  });
});

describe('a contract compiled without the transformer', () => {
  it('throws a ContractError that says how to add the plugin', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-plain-'));
    try {
      const source = `
        import { struct, ipaInterface, ipaEvents, IPAInterface, type u32 } from ${JSON.stringify(path.join(root, 'dist/runtime'))};
        @struct() export class Point2 { x!: u32; }
        @ipaEvents() export abstract class Events { abstract done(): void; }
        @ipaInterface('plain') export abstract class Plain extends IPAInterface<Events> {
          abstract init(): Promise<void>; abstract start(): Promise<void>; abstract stop(): Promise<void>;
        }`;
      const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
      fs.writeFileSync(path.join(out, 'plain.js'), js);
      const plain = require(path.join(out, 'plain.js'));
      const run = () => runtime.encode(plain.Point2, { x: 1 });
      expect(run).toThrow(runtime.ContractError);
      expect(run).toThrow(/Point2 has no generated codec\. Its module was compiled without the ts-ipa transformer.*"transform": "ts-ipa\/transformer".*tspc/);
      expect(() => runtime.contractCodec(plain.Plain)).toThrow(/Plain has no generated codec/);
    } finally {
      fs.rmSync(out, { recursive: true });
    }
  });

  it('and a class that is not a contract at all is named as such', () => {
    class NotAStruct {}
    expect(() => runtime.structCodec(NotAStruct)).toThrow('NotAStruct is not a struct: declare it with @struct().');
  });
});
