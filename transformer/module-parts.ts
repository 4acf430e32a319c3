import type * as ts from 'typescript';
import type { ConstModel, InterfaceModel, StructModel } from '../runtime/model';
import type { Report } from './diagnostics';
import type { TypeResolver } from './resolve-type';
import { stubNames } from './emit/stubs';
import { paramsNames, replyNames, structNames } from './emit/names';

/** The rest of a contract module: its constants, and the names its generated code will take. */

export /** Exported `const X: u32 = 0x8000` declarations: the contract's constants. */
function readConstants(tsApi: typeof ts, checker: ts.TypeChecker, resolver: TypeResolver, file: ts.SourceFile): ConstModel[] {
  const consts: ConstModel[] = [];
  for (const statement of file.statements) {
    if (!tsApi.isVariableStatement(statement)) continue;
    if (!(statement.declarationList.flags & tsApi.NodeFlags.Const)) continue;
    if (!statement.modifiers?.some((m) => m.kind === tsApi.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!tsApi.isIdentifier(declaration.name) || !declaration.type || !declaration.initializer) continue;
      const type = checker.getTypeFromTypeNode(declaration.type);
      if (!resolver.isWireScalar(type)) continue;
      const ref = resolver.resolve(type, declaration.type, `constant '${declaration.name.text}'`);
      const value = constantValue(tsApi, declaration.initializer);
      if (ref && value !== undefined) consts.push({ name: declaration.name.text, type: ref, value });
    }
  }
  return consts;
}

function constantValue(tsApi: typeof ts, node: ts.Expression): number | string | boolean | undefined {
  if (tsApi.isNumericLiteral(node)) return Number(node.text);
  if (tsApi.isBigIntLiteral(node)) return BigInt(node.text.slice(0, -1)).toString();
  if (tsApi.isStringLiteral(node)) return node.text;
  if (node.kind === tsApi.SyntaxKind.TrueKeyword) return true;
  if (node.kind === tsApi.SyntaxKind.FalseKeyword) return false;
  if (tsApi.isPrefixUnaryExpression(node) && node.operator === tsApi.SyntaxKind.MinusToken) {
    const inner = constantValue(tsApi, node.operand);
    if (typeof inner === 'number') return -inner;
    if (typeof inner === 'string' && /^\d+$/.test(inner)) return `-${inner}`;
  }
  return undefined;
}

export /** Generated functions are named after structs, calls and events; none may shadow a local name. */
function checkGeneratedNames(
  tsApi: typeof ts,
  file: ts.SourceFile,
  structs: StructModel[],
  iface: InterfaceModel | null,
  events: InterfaceModel | null,
  report: Report,
): void {
  const local = new Map<string, ts.Node>();
  for (const statement of file.statements) {
    for (const [name, node] of declaredNames(tsApi, statement)) local.set(name, node);
  }
  const generated = new Map<string, string>();
  const claim = (name: string, owner: string): void => {
    const clash = local.get(name);
    if (clash) report(clash, 'name-collision', `'${name}' is a name the generated code of ${owner} uses; rename this declaration.`);
    const other = generated.get(name);
    if (other && other !== owner) report(file, 'name-collision', `${owner} and ${other} would both generate '${name}'; rename one of them.`);
    generated.set(name, owner);
  };
  const claimAll = (names: object, owner: string): void => {
    for (const name of Object.values(names) as string[]) claim(name, owner);
  };
  for (const s of structs) claimAll(structNames(s.name), `struct '${s.name}'`);
  for (const m of iface?.methods ?? []) {
    claimAll(paramsNames(m, 'Call'), `call '${m.name}'`);
    claimAll(replyNames(m), `call '${m.name}'`);
  }
  for (const e of events?.methods ?? []) claimAll(paramsNames(e, 'Event'), `event '${e.name}'`);
  for (const name of stubNames({ interface: iface, events })) claim(name, 'the proxy and dispatch code');
  claim('tsIpa', 'the runtime import');
}

function declaredNames(tsApi: typeof ts, statement: ts.Statement): [string, ts.Node][] {
  if ((tsApi.isFunctionDeclaration(statement) || tsApi.isClassDeclaration(statement) || tsApi.isEnumDeclaration(statement)) && statement.name) {
    return [[statement.name.text, statement.name]];
  }
  if (tsApi.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => (tsApi.isIdentifier(d.name) ? [[d.name.text, d.name] as [string, ts.Node]] : []));
  }
  if (tsApi.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    const names: [string, ts.Node][] = clause.name ? [[clause.name.text, clause.name]] : [];
    const bindings = clause.namedBindings;
    if (bindings && tsApi.isNamespaceImport(bindings)) names.push([bindings.name.text, bindings.name]);
    if (bindings && tsApi.isNamedImports(bindings)) for (const e of bindings.elements) names.push([e.name.text, e.name]);
    return names;
  }
  return [];
}
