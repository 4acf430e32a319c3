import type * as ts from 'typescript';
import { createHash } from 'node:crypto';
import type {
  ConstModel, ContractModel, EnumModel, FieldModel, InterfaceModel, MethodModel, StructModel, TypeRef,
} from '../runtime/model';
import { isPod } from '../runtime/model';
import type { ContractDiagnostic, Rule } from './diagnostics';
import { TypeResolver } from './resolve-type';
import { decoratorKind, hasDecorator, type DecoratorKind } from './decorators';

export interface Analysis {
  /** null when the module declares nothing for ts-ipa, or when it broke a rule. */
  model: ContractModel | null;
  diagnostics: ContractDiagnostic[];
  /** Names of the classes to register: local structs, and the main interface. */
  localStructs: string[];
  interfaceClass: string | null;
  /** Where the decorators were imported from: generated code imports its helpers from there. */
  runtimeSpecifier: string | null;
}

const MODULE_NAME = /^[A-Za-z_][0-9A-Za-z_]*$/;
const REQUIRED_METHODS = ['init', 'start', 'stop'];

/**
 * Reads one contract module into a contract model. Diagnostics are reported here only, each at
 * the node that broke the rule.
 */
export function analyzeSourceFile(tsApi: typeof ts, checker: ts.TypeChecker, file: ts.SourceFile): Analysis {
  const diagnostics: ContractDiagnostic[] = [];
  const report = (node: ts.Node, rule: Rule, message: string): void => {
    const at = node.getSourceFile() === file ? node : file;
    const start = at === file ? 0 : at.getStart(file);
    diagnostics.push({ rule, message, file, start, length: at === file ? 0 : at.getEnd() - start });
  };
  const empty: Analysis = { model: null, diagnostics, localStructs: [], interfaceClass: null, runtimeSpecifier: null };

  const decorated = findDecoratedClasses(tsApi, checker, file, report);
  if (decorated.length === 0) return empty;

  const resolver = new TypeResolver(tsApi, checker, file, report);
  let interfaceModel: InterfaceModel | null = null;
  let eventsModel: InterfaceModel | null = null;
  let moduleName: string | null = null;
  let interfaceClass: string | null = null;
  const localStructs: string[] = [];

  for (const { node, kind, call } of decorated) {
    const name = node.name?.text ?? '';
    if (kind === 'struct') {
      resolver.structFromClass(node);
      localStructs.push(name);
    } else if (kind === 'events') {
      // Analysed through the interface that names it; a stray one is still checked here.
      if (!decorated.some((d) => d.kind === 'interface')) {
        report(node.name ?? node, 'events', `event interface '${name}' is not used by an @ipaInterface class in this module. Extend IPAInterface<${name}> in the main interface.`);
      }
    } else if (interfaceClass !== null) {
      report(node.name ?? node, 'interface-shape', `only one @ipaInterface class is allowed per module, and '${interfaceClass}' is already one. Move '${name}' to a module of its own.`);
    } else {
      interfaceClass = name;
      moduleName = readModuleName(tsApi, call, report);
      const events = findEventsClass(tsApi, checker, node, report);
      interfaceModel = readInterface(tsApi, checker, resolver, node, 'interface', report);
      if (events) eventsModel = readInterface(tsApi, checker, resolver, events, 'events', report);
    }
  }

  const consts = readConstants(tsApi, checker, resolver, file);
  const structs = resolver.orderedStructs();
  const enums = resolver.enums();
  checkGeneratedNames(tsApi, file, structs, interfaceModel, eventsModel, report);

  if (diagnostics.length > 0) return { ...empty, localStructs, interfaceClass };
  const unhashed: Omit<ContractModel, 'hash'> = {
    formatVersion: 1,
    module: moduleName,
    interface: interfaceModel,
    events: eventsModel,
    structs,
    enums,
    consts,
  };
  const hash = createHash('sha256').update(JSON.stringify(unhashed)).digest('hex').slice(0, 16);
  return {
    model: { ...unhashed, hash },
    diagnostics,
    localStructs,
    interfaceClass,
    runtimeSpecifier: runtimeSpecifierOf(tsApi, checker, decorated[0]!.call),
  };
}

interface DecoratedClass {
  node: ts.ClassDeclaration;
  kind: DecoratorKind;
  call: ts.CallExpression;
}

function findDecoratedClasses(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  report: (node: ts.Node, rule: Rule, message: string) => void,
): DecoratedClass[] {
  const found: DecoratedClass[] = [];
  for (const statement of file.statements) {
    if (!tsApi.isClassDeclaration(statement)) continue;
    for (const decorator of tsApi.getDecorators(statement) ?? []) {
      const expression = decorator.expression;
      const recognised = decoratorKind(tsApi, checker, expression);
      if (!recognised) continue;
      const { kind, called } = recognised;
      if (!called || !tsApi.isCallExpression(expression)) {
        const text = expression.getText(file);
        report(decorator, 'decorator-call', `@${text} must be called: write @${text}(${kind === 'interface' ? "'name'" : ''}).`);
        continue;
      }
      if (!statement.name) {
        report(decorator, 'interface-shape', 'a decorated contract class needs a name.');
        continue;
      }
      found.push({ node: statement, kind, call: expression });
    }
  }
  return found;
}

function readModuleName(
  tsApi: typeof ts,
  call: ts.CallExpression,
  report: (node: ts.Node, rule: Rule, message: string) => void,
): string | null {
  const arg = call.arguments[0];
  if (!arg || !tsApi.isStringLiteralLike(arg)) {
    report(call, 'module-name', "@ipaInterface needs the IPA module name as a string literal, e.g. @ipaInterface('vimc').");
    return null;
  }
  if (!MODULE_NAME.test(arg.text)) {
    report(arg, 'module-name', `module name '${arg.text}' must be an identifier ([A-Za-z_][0-9A-Za-z_]*), as libcamera's ipa.<name> namespace.`);
    return null;
  }
  return arg.text;
}

/** The `E` of `extends IPAInterface<E>`, which must be an @ipaEvents class. */
function findEventsClass(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  node: ts.ClassDeclaration,
  report: (node: ts.Node, rule: Rule, message: string) => void,
): ts.ClassDeclaration | null {
  const name = node.name!.text;
  const heritage = node.heritageClauses?.find((h) => h.token === tsApi.SyntaxKind.ExtendsKeyword)?.types[0];
  const eventsArg = heritage?.typeArguments?.[0];
  if (!heritage || !eventsArg) {
    report(node.name!, 'events', `interface '${name}' has no event interface: declare an @ipaEvents() abstract class with at least one event and write 'extends IPAInterface<ItsName>'.`);
    return null;
  }
  const symbol = checker.getTypeAtLocation(eventsArg).getSymbol();
  const declaration = symbol?.declarations?.find(tsApi.isClassDeclaration);
  const isEvents = declaration && hasDecorator(tsApi, checker, declaration, 'events');
  if (!declaration || !isEvents) {
    report(eventsArg, 'events', `'${eventsArg.getText()}' is not an event interface: declare it as an @ipaEvents() abstract class.`);
    return null;
  }
  return declaration;
}

function readInterface(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  resolver: TypeResolver,
  node: ts.ClassDeclaration,
  role: 'interface' | 'events',
  report: (node: ts.Node, rule: Rule, message: string) => void,
): InterfaceModel {
  const name = node.name!.text;
  const methods: MethodModel[] = [];
  const seen = new Map<string, ts.Node>();
  for (const member of node.members) {
    if (tsApi.isMethodDeclaration(member)) {
      const methodName = tsApi.isIdentifier(member.name) ? member.name.text : null;
      if (methodName === null) {
        report(member.name, 'interface-shape', `methods of '${name}' need plain identifier names.`);
        continue;
      }
      if (seen.has(methodName)) {
        report(member.name, 'duplicate-name', `'${name}.${methodName}' is declared twice; every call needs a name of its own (overloads cannot be told apart on the wire).`);
        continue;
      }
      seen.set(methodName, member);
      if (!member.modifiers?.some((m) => m.kind === tsApi.SyntaxKind.AbstractKeyword)) {
        report(member.name, 'interface-shape', `'${name}.${methodName}' must be abstract: a contract declares calls, the IPA implements them.`);
        continue;
      }
      const method = readMethod(tsApi, checker, resolver, member, `${name}.${methodName}`, role, report);
      if (method) methods.push({ cmd: methods.length + 1, ...method });
    } else if (tsApi.isConstructorDeclaration(member) || tsApi.isClassStaticBlockDeclaration(member)) {
      continue;
    } else {
      const memberName = member.name && tsApi.isIdentifier(member.name) ? member.name.text : member.getText();
      report(member.name ?? member, 'interface-shape', `'${name}' may only declare abstract methods; '${memberName}' is not one.`);
    }
  }

  if (role === 'interface') {
    for (const required of REQUIRED_METHODS) {
      if (!seen.has(required)) {
        report(node.name!, 'missing-method', `interface '${name}' has no '${required}' method; libcamera requires init(), start() and stop(). Declare 'abstract ${required}(): Promise<void>'.`);
      }
    }
    const stop = methods.find((m) => m.name === 'stop');
    if (stop && (stop.params.length > 0 || stop.results.length > 0 || stop.kind !== 'call')) {
      report(seen.get('stop')!, 'stop-signature', `'${name}.stop' must take no parameters and return Promise<void>.`);
    }
    for (const m of methods) {
      if ((m.name === 'init' || m.name === 'start') && m.kind !== 'call') {
        report(seen.get(m.name)!, 'method-kind', `'${name}.${m.name}' must return a Promise: libcamera calls it synchronously.`);
      }
    }
  } else if (seen.size === 0) {
    report(node.name!, 'events', `event interface '${name}' declares no events; libcamera requires at least one. Add 'abstract someEvent(...): void'.`);
  }
  return { name, methods };
}

function readMethod(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  resolver: TypeResolver,
  node: ts.MethodDeclaration,
  qualifiedName: string,
  role: 'interface' | 'events',
  report: (node: ts.Node, rule: Rule, message: string) => void,
): Omit<MethodModel, 'cmd'> | null {
  const name = (node.name as ts.Identifier).text;
  if (node.typeParameters?.length) {
    report(node.name, 'interface-shape', `'${qualifiedName}' cannot be generic: the wire format needs concrete types.`);
    return null;
  }
  const params: FieldModel[] = [];
  for (const param of node.parameters) {
    const paramName = tsApi.isIdentifier(param.name) ? param.name.text : null;
    if (paramName === null || param.dotDotDotToken || param.questionToken || param.initializer) {
      report(param, 'parameter', `parameters of '${qualifiedName}' must be plain, required and named (no destructuring, '?', defaults or rest).`);
      continue;
    }
    if (!param.type) {
      report(param, 'parameter', `parameter '${paramName}' of '${qualifiedName}' needs a type annotation.`);
      continue;
    }
    const type = resolver.resolve(checker.getTypeFromTypeNode(param.type), param.type, `parameter '${paramName}' of '${qualifiedName}'`);
    if (type) params.push({ name: paramName, type });
  }

  const signature = checker.getSignatureFromDeclaration(node);
  const returnType = signature && checker.getReturnTypeOfSignature(signature);
  const where = node.type ?? node.name;
  if (!returnType) return null;

  if (returnType.flags & tsApi.TypeFlags.Void) {
    return { name, kind: 'oneway', params, results: [], resultsAsObject: false, firstResultIsReturnValue: false, resetsControls: name === 'configure' };
  }
  if (role === 'events') {
    report(where, 'event-return', `event '${qualifiedName}' must return void: events are one-way, nothing can answer them.`);
    return null;
  }
  const promised = promisedType(tsApi, checker, returnType);
  if (!promised) {
    report(where, 'method-return', `'${qualifiedName}' must return Promise<T> (a call with a reply) or void (a one-way call), not ${checker.typeToString(returnType)}.`);
    return null;
  }

  let results: FieldModel[] = [];
  let resultsAsObject = false;
  if (promised.flags & tsApi.TypeFlags.Void) {
    results = [];
  } else if (isAnonymousObject(tsApi, promised)) {
    resultsAsObject = true;
    const typeNode = promisedTypeNode(tsApi, node.type);
    for (const property of checker.getPropertiesOfType(promised)) {
      const declaration = property.valueDeclaration ?? typeNode ?? where;
      if (property.flags & tsApi.SymbolFlags.Optional) {
        report(declaration, 'optional', `result '${property.name}' of '${qualifiedName}' is optional; every result is always sent. Remove the '?'.`);
        continue;
      }
      const type = resolver.resolve(checker.getTypeOfSymbolAtLocation(property, declaration), resultTypeNode(tsApi, declaration), `result '${property.name}' of '${qualifiedName}'`);
      if (type) results.push({ name: property.name, type });
    }
    if (checker.getIndexInfosOfType(promised).length > 0) {
      report(where, 'index-signature', `the results of '${qualifiedName}' have an index signature; name each result.`);
    }
  } else {
    const type = resolver.resolve(promised, promisedTypeNode(tsApi, node.type) ?? where, `the result of '${qualifiedName}'`);
    if (type) results = [{ name: 'result', type }];
  }

  return {
    name,
    kind: 'call',
    params,
    results,
    resultsAsObject,
    firstResultIsReturnValue: isReturnValue(results),
    resetsControls: name === 'configure',
  };
}

/** libcamera's rule for which result becomes the C++ return value (it travels first, raw). */
function isReturnValue(results: FieldModel[]): boolean {
  const first = results[0];
  if (!first) return false;
  if (results.length === 1) return isPod(first.type);
  return first.type.kind === 'number' && first.type.width === 'i32';
}

function promisedType(tsApi: typeof ts, checker: ts.TypeChecker, type: ts.Type): ts.Type | null {
  const symbol = type.getSymbol();
  if (symbol?.name !== 'Promise' || !((type as ts.ObjectType).objectFlags & tsApi.ObjectFlags.Reference)) return null;
  return checker.getTypeArguments(type as ts.TypeReference)[0] ?? null;
}

function promisedTypeNode(tsApi: typeof ts, node: ts.TypeNode | undefined): ts.TypeNode | undefined {
  return node && tsApi.isTypeReferenceNode(node) ? node.typeArguments?.[0] : undefined;
}

function resultTypeNode(tsApi: typeof ts, declaration: ts.Node): ts.Node {
  return tsApi.isPropertySignature(declaration) && declaration.type ? declaration.type : declaration;
}

function isAnonymousObject(tsApi: typeof ts, type: ts.Type): boolean {
  return (type.flags & tsApi.TypeFlags.Object) !== 0
    && ((type as ts.ObjectType).objectFlags & tsApi.ObjectFlags.Anonymous) !== 0
    && type.getCallSignatures().length === 0;
}

/** Exported `const X: u32 = 0x8000` declarations: the contract's constants. */
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

/** Generated functions are named after structs, calls and events; none may shadow a local name. */
function checkGeneratedNames(
  tsApi: typeof ts,
  file: ts.SourceFile,
  structs: StructModel[],
  iface: InterfaceModel | null,
  events: InterfaceModel | null,
  report: (node: ts.Node, rule: Rule, message: string) => void,
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
  for (const s of structs) for (const prefix of ['encode', 'decode']) claim(`${prefix}${s.name}`, `struct '${s.name}'`);
  for (const m of iface?.methods ?? []) {
    const cap = capitalize(m.name);
    for (const fn of [`encode${cap}Call`, `decode${cap}Call`, `encode${cap}Reply`, `decode${cap}Reply`]) claim(fn, `call '${m.name}'`);
  }
  for (const e of events?.methods ?? []) {
    const cap = capitalize(e.name);
    for (const fn of [`encode${cap}Event`, `decode${cap}Event`]) claim(fn, `event '${e.name}'`);
  }
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

export function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The module specifier the decorator came from, reused for the generated code's import. */
function runtimeSpecifierOf(tsApi: typeof ts, checker: ts.TypeChecker, call: ts.CallExpression): string | null {
  let callee: ts.Expression = call.expression;
  if (tsApi.isPropertyAccessExpression(callee)) callee = callee.expression;
  const symbol = checker.getSymbolAtLocation(callee);
  const declaration = symbol?.declarations?.[0];
  let node: ts.Node | undefined = declaration;
  while (node && !tsApi.isImportDeclaration(node)) node = node.parent;
  return node && tsApi.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : null;
}

export type { TypeRef, EnumModel };
