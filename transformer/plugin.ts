import type * as ts from 'typescript';
import { analyzeSourceFile, type Analysis } from './analyze';
import { toTsDiagnostic } from './diagnostics';
import { emitModule } from './emit/module';
import { appendGenerated } from './inject';

/** What ts-patch hands a source transformer besides the program. */
interface TransformerExtras {
  ts: typeof ts;
  addDiagnostic(diagnostic: ts.Diagnostic): number;
}

/**
 * The ts-patch entry: `{ "transform": "ts-ipa/transformer" }` in tsconfig.json "plugins".
 * Contract modules (those using ts-ipa's decorators) are analysed into a contract model; a
 * broken rule becomes a compile error at its node, and a valid model gets its codecs appended
 * to the module's JavaScript.
 */
export default function tsIpaTransformer(
  program: ts.Program,
  _config: unknown,
  extras: TransformerExtras,
): ts.TransformerFactory<ts.SourceFile> {
  const tsApi = extras.ts;
  const checker = program.getTypeChecker();
  return (context) => (file) => {
    if (file.isDeclarationFile) return file;
    const analysis = analyzeSourceFile(tsApi, checker, file);
    for (const d of analysis.diagnostics) extras.addDiagnostic(toTsDiagnostic(tsApi, d));
    return transform(tsApi, context.factory, file, analysis);
  };
}

function transform(tsApi: typeof ts, factory: ts.NodeFactory, file: ts.SourceFile, analysis: Analysis): ts.SourceFile {
  const { model, runtimeSpecifier } = analysis;
  if (!model || !runtimeSpecifier) return file;
  const code = emitModule({ model, localStructs: analysis.localStructs, interfaceClass: analysis.interfaceClass });
  return appendGenerated(tsApi, factory, file, code, runtimeSpecifier);
}
