import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root } from './support';

// tsserver loads plugins with require(): so does this test.
const plugin = require('../dist/transformer/language-service.js') as (m: { typescript: typeof ts }) => {
  create(info: { languageService: ts.LanguageService }): ts.LanguageService;
};

function languageService(files: Record<string, string>): ts.LanguageService {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true, types: [], skipLibCheck: true,
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => Object.keys(files),
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      const text = files[name] ?? (fs.existsSync(name) ? fs.readFileSync(name, 'utf8') : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (name) => name in files || fs.existsSync(name),
    readFile: (name) => files[name] ?? fs.readFileSync(name, 'utf8'),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}

describe('the language-service plugin', () => {
  it('adds contract diagnostics to the editor, with the messages tsc prints', () => {
    const file = path.join(root, 'test/fixtures/editor-contract.ts');
    const service = plugin({ typescript: ts }).create({
      languageService: languageService({
        [file]: "import { struct, type u32 } from '../../runtime';\n@struct()\nexport class Frame {\n  id!: u32;\n  gain!: number;\n}\n",
      }),
    });
    const diagnostics = service.getSemanticDiagnostics(file);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.code).toBe(99001);
    expect(ts.flattenDiagnosticMessageText(d!.messageText, '\n')).toBe(
      "[ts-ipa/plain-number] field 'gain' of struct 'Frame' is a plain 'number', which has no wire width. Use u8, u16, u32, i8, i16, i32, f32 or f64 from ts-ipa.",
    );
    expect(d!.file!.getLineAndCharacterOfPosition(d!.start!).line).toBe(4);
  });

  it('leaves valid contracts and other files alone', () => {
    const vimc = path.join(root, 'platforms/vimc/contract.ts');
    const service = plugin({ typescript: ts }).create({ languageService: languageService({ [vimc]: fs.readFileSync(vimc, 'utf8') }) });
    expect(service.getSemanticDiagnostics(vimc)).toEqual([]);
    expect(typeof service.getCompletionsAtPosition).toBe('function');
  });
});
