import type * as ts from 'typescript';
import type { FieldModel, InterfaceModel, MethodModel } from '../runtime/model';
import { isPod } from '../runtime/model';
import { RESERVED_CALL_NAMES, RESERVED_EVENT_NAMES } from '../runtime/reserved-names';
import { hasDecorator } from './decorators';
import type { Report } from './diagnostics';
import type { TypeResolver } from './resolve-type';

/** Reading the main interface and the event interface: methods, parameters, results. */

const REQUIRED_METHODS = ['init', 'start', 'stop'];

export /** The `E` of `extends IPAInterface<E>`, which must be an @ipaEvents class. */
function findEventsClass(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  node: ts.ClassDeclaration,
  report: Report,
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

export function readInterface(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  resolver: TypeResolver,
  node: ts.ClassDeclaration,
  role: 'interface' | 'events',
  report: Report,
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
      if (role === 'interface' && RESERVED_CALL_NAMES.has(methodName)) {
        report(member.name, 'reserved-name', `'${name}.${methodName}': the proxy has a '${methodName}' of its own (its controls, EventEmitter's or Object's members), which a call of that name would replace. Rename the call.`);
        continue;
      }
      if (role === 'events' && RESERVED_EVENT_NAMES.has(methodName)) {
        report(member.name, 'reserved-name', `event '${name}.${methodName}': the name is taken (the proxy's own events 'crashed', 'protocolError', 'recovered' and 'recoveryFailed', EventEmitter's 'error', 'newListener' and 'removeListener', and Object's members). Rename the event.`);
        continue;
      }
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
  report: Report,
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

