import path from 'node:path';
import type * as ts from 'typescript';

/** The name of ts-ipa's face for generated code, beside its public one (runtime/internal.ts). */
const INTERNAL_FACE = 'internal';

/**
 * Where the code generated for a contract module imports the runtime from: ts-ipa's internal
 * face, `internal` beside the file that declares the decorator `call` uses (runtime/contract.ts,
 * found through whatever the decorator was imported from). From an installed package that is
 * `<package>/internal` (`ts-ipa/internal`, the package's export); from sources (this
 * repository, a workspace) the relative path to it. null when the decorator's declaration is
 * not found (the checker could not resolve the import).
 */
export function runtimeSpecifierOf(tsApi: typeof ts, checker: ts.TypeChecker, call: ts.CallExpression): string | null {
  // `struct` or `ipa.struct`: an import, or a module's export, that leads to the declaration.
  let symbol = checker.getSymbolAtLocation(call.expression);
  if (symbol && symbol.flags & tsApi.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declared = symbol?.declarations?.[0]?.getSourceFile().fileName;
  if (!declared) return null;
  const face = path.posix.join(path.posix.dirname(declared), INTERNAL_FACE);
  const inPackage = /^(.*\/node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(face);
  if (inPackage) return `${inPackage[2]}/${INTERNAL_FACE}`;
  const relative = path.posix.relative(path.posix.dirname(call.getSourceFile().fileName), face);
  return relative.startsWith('.') ? relative : `./${relative}`;
}
