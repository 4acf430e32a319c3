import type * as ts from 'typescript';
import { createHash } from 'node:crypto';
import type { ContractModel, InterfaceModel } from '../runtime/model';
import type { ContractDiagnostic, Report } from './diagnostics';
import { TypeResolver } from './resolve-type';
import { decoratorKind, type DecoratorKind } from './decorators';
import { findEventsClass, readInterface } from './interfaces';
import { checkGeneratedNames, readConstants } from './module-parts';
import { runtimeSpecifierOf } from './runtime-specifier';

export interface Analysis {
  /** null when the module declares nothing for ts-ipa, or when it broke a rule. */
  model: ContractModel | null;
  diagnostics: ContractDiagnostic[];
  /** Names of the classes to register: local structs, and the main interface. */
  localStructs: string[];
  interfaceClass: string | null;
  /** ts-ipa's internal face, as this module reaches it: generated code imports its helpers from there. */
  runtimeSpecifier: string | null;
}

const MODULE_NAME = /^[A-Za-z_][0-9A-Za-z_]*$/;

/**
 * Reads one contract module into a contract model. Diagnostics are reported here only, each at
 * the node that broke the rule.
 */
export function analyzeSourceFile(tsApi: typeof ts, checker: ts.TypeChecker, file: ts.SourceFile): Analysis {
  const diagnostics: ContractDiagnostic[] = [];
  const report: Report = (node, rule, message) => {
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
  report: Report,
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
  report: Report,
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

