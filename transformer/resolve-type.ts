import type * as ts from 'typescript';
import type { EnumModel, FieldModel, StructModel, TypeRef } from '../runtime/model';
import type { Width } from '../runtime/types';
import type { Report, Rule } from './diagnostics';
import { hasDecorator, wireTypeOf } from './decorators';

const WIDTHS: readonly string[] = ['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64', 'f32', 'f64'];
const NUMBER_WIDTHS = 'u8, u16, u32, i8, i16, i32, f32 or f64';
const WIRE_TYPES: readonly string[] = ['SharedFD', 'FrameBufferPlane', 'ControlList', 'ControlInfoMap'];

interface StructEntry {
  model: StructModel | null;
  state: 'visiting' | 'done';
  declaration: ts.ClassDeclaration;
}

/**
 * Turns checker types into TypeRefs, collecting the structs and enums they use. Struct classes
 * are read once each; a struct reached again while it is being read is a cycle.
 */
export class TypeResolver {
  private readonly structs = new Map<string, StructEntry>();
  private readonly order: StructModel[] = [];
  private readonly enumModels = new Map<string, { model: EnumModel; declaration: ts.Declaration }>();

  private errorCount = 0;
  private readonly report: Report;

  constructor(
    private readonly tsApi: typeof ts,
    private readonly checker: ts.TypeChecker,
    private readonly file: ts.SourceFile,
    report: Report,
  ) {
    // Counted so that a struct with errors gets no model.
    this.report = (node, rule, message) => {
      this.errorCount++;
      report(node, rule, message);
    };
  }

  orderedStructs(): StructModel[] {
    return this.order;
  }

  enums(): EnumModel[] {
    return [...this.enumModels.values()].map((e) => e.model);
  }

  /** Whether a type is a width-carrying number, bool or string (what a constant may be). */
  isWireScalar(type: ts.Type): boolean {
    return this.brand(type, '__ipaWidth') !== null;
  }

  resolve(type: ts.Type, at: ts.Node, what: string): TypeRef | null {
    const { tsApi, checker } = this;
    const flags = type.flags;
    const shown = checker.typeToString(type);

    if (flags & (tsApi.TypeFlags.Any | tsApi.TypeFlags.Unknown)) {
      return this.fail(at, 'any-unknown', `${what} is '${shown}'; the wire format needs a concrete type.`);
    }
    const width = this.brand(type, '__ipaWidth');
    if (width !== null) return this.width(type, width, at, what);
    const flagsOf = this.brand(type, '__ipaFlags');
    if (flagsOf !== null) return this.flags(type, at, what);
    if (flags & tsApi.TypeFlags.Boolean) return { kind: 'bool' };
    if (flags & tsApi.TypeFlags.String) return { kind: 'string' };
    if (flags & tsApi.TypeFlags.Number) {
      return this.fail(at, 'plain-number', `${what} is a plain 'number', which has no wire width. Use ${NUMBER_WIDTHS} from ts-ipa.`);
    }
    if (flags & tsApi.TypeFlags.BigInt) {
      return this.fail(at, 'plain-bigint', `${what} is a plain 'bigint', which has no wire width. Use u64 or i64 from ts-ipa.`);
    }
    const enumRef = this.enumType(type, at, what);
    if (enumRef !== undefined) return enumRef;
    if (type.isUnion()) {
      if (type.types.some((t) => t.flags & (tsApi.TypeFlags.Undefined | tsApi.TypeFlags.Null))) {
        return this.fail(at, 'optional', `${what} may be undefined or null ('${shown}'); every value is always sent. Use a required type.`);
      }
      return this.fail(at, 'union', `${what} is a union ('${shown}'); the wire format has no tags to tell the members apart. Use one type.`);
    }
    if (flags & (tsApi.TypeFlags.StringLiteral | tsApi.TypeFlags.NumberLiteral | tsApi.TypeFlags.BigIntLiteral | tsApi.TypeFlags.BooleanLiteral)) {
      return this.fail(at, 'unsupported-type', `${what} is the literal type '${shown}'; use its wider type (string, bool, a width type or an enum).`);
    }
    if (!(flags & tsApi.TypeFlags.Object)) {
      return this.fail(at, 'unsupported-type', `${what} has type '${shown}', which the wire format does not support.`);
    }
    return this.objectType(type as ts.ObjectType, at, what);
  }

  private fail(at: ts.Node, rule: Rule, message: string): null {
    this.report(at, rule, message);
    return null;
  }

  /** The literal of a brand property (`__ipaWidth?: 'u32'`), or the type it carries (`__ipaFlags?: E`). */
  private brand(type: ts.Type, property: string): string | ts.Type | null {
    // Only intersections with a primitive carry width and flags brands (classes have other brands).
    if (!type.isIntersection()) return null;
    const symbol = this.checker.getPropertyOfType(type, property);
    if (!symbol) return null;
    const brandType = this.checker.getNonNullableType(this.checker.getTypeOfSymbol(symbol));
    if (property === '__ipaWidth') return brandType.isStringLiteral() ? brandType.value : null;
    return brandType;
  }

  private width(type: ts.Type, width: string | ts.Type, at: ts.Node, what: string): TypeRef | null {
    const { tsApi } = this;
    const name = String(width);
    if (!WIDTHS.includes(name)) return this.fail(at, 'unsupported-type', `${what} has an unknown width '${name}'.`);
    const parts = (type as ts.IntersectionType).types;
    const isBigint = parts.some((t) => t.flags & tsApi.TypeFlags.BigIntLike);
    const isNumber = parts.some((t) => t.flags & tsApi.TypeFlags.NumberLike);
    const wants64 = name.endsWith('64') && name !== 'f64';
    if (wants64 && !isBigint) {
      return this.fail(at, 'width-mismatch', `${what} is declared ${name} on a 'number'; 64-bit integers are bigints so that every value survives. Use ts-ipa's ${name}.`);
    }
    if (!wants64 && !isNumber) {
      return this.fail(at, 'width-mismatch', `${what} is a 'bigint' declared with the ${name} width; bigints are 64-bit (u64 or i64). Use ts-ipa's ${name} on a number, or u64/i64.`);
    }
    return { kind: 'number', width: name as Width };
  }

  private flags(type: ts.Type, at: ts.Node, what: string): TypeRef | null {
    const enumType = this.brand(type, '__ipaFlags') as ts.Type;
    const ref = this.enumType(enumType, at, what);
    if (!ref) return this.fail(at, 'unsupported-type', `${what} is Flags<${this.checker.typeToString(enumType)}>; flags need a numeric enum.`);
    return { kind: 'flags', enum: ref.kind === 'enum' ? ref.name : '' };
  }

  /** An enum type (or undefined when the type is not an enum at all). */
  private enumType(type: ts.Type, at: ts.Node, what: string): TypeRef | null | undefined {
    const { tsApi, checker } = this;
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (symbol && symbol.flags & tsApi.SymbolFlags.EnumMember) {
      return this.fail(at, 'unsupported-type', `${what} is the single enum member '${checker.typeToString(type)}'; use the enum type.`);
    }
    if (!symbol || !(symbol.flags & tsApi.SymbolFlags.Enum)) return undefined;
    const declaration = symbol.declarations?.find(tsApi.isEnumDeclaration);
    if (!declaration) return this.fail(at, 'enum-values', `${what}: cannot find the declaration of enum '${symbol.name}'.`);
    const known = this.enumModels.get(symbol.name);
    if (known) {
      if (known.declaration !== declaration) {
        return this.fail(at, 'name-collision', `${what} uses enum '${symbol.name}', but another enum of that name is already used in this contract; rename one.`);
      }
      return { kind: 'enum', name: symbol.name };
    }
    const members: EnumModel['members'] = [];
    for (const member of declaration.members) {
      const value = checker.getConstantValue(member);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        return this.fail(at, 'enum-values', `enum '${symbol.name}' member '${member.name.getText()}' is ${JSON.stringify(value)}; enums travel as u32, so members must be integers from 0 to 2^32-1.`);
      }
      members.push({ name: member.name.getText(), value });
    }
    this.enumModels.set(symbol.name, {
      model: { name: symbol.name, members, local: declaration.getSourceFile() === this.file },
      declaration,
    });
    return { kind: 'enum', name: declaration.name.text };
  }

  private objectType(type: ts.ObjectType, at: ts.Node, what: string): TypeRef | null {
    const { tsApi, checker } = this;
    const shown = checker.typeToString(type);
    if (checker.isTupleType(type)) {
      return this.fail(at, 'unsupported-type', `${what} is a tuple ('${shown}'); use an array of one type or a @struct.`);
    }
    if (checker.isArrayType(type)) {
      const element = checker.getTypeArguments(type as ts.TypeReference)[0]!;
      const ref = this.resolve(element, at, `the elements of ${what}`);
      return ref && { kind: 'array', element: ref };
    }
    const symbol = type.getSymbol();
    const name = symbol?.name;
    if ((name === 'Map' || name === 'ReadonlyMap') && this.isFromLib(symbol)) {
      const [keyType, valueType] = checker.getTypeArguments(type as ts.TypeReference);
      const key = this.resolve(keyType!, at, `the keys of ${what}`);
      const value = this.resolve(valueType!, at, `the values of ${what}`);
      if (key && !(key.kind === 'number' || key.kind === 'string' || key.kind === 'enum' || key.kind === 'bool')) {
        return this.fail(at, 'map-key', `${what} has keys of type '${checker.typeToString(keyType!)}'; map keys must be numbers, strings, bools or enums, which have a defined order (the wire sorts them as std::map does).`);
      }
      return key && value && { kind: 'map', key, value };
    }
    const wireType = wireTypeOf(checker, type);
    if (wireType && WIRE_TYPES.includes(wireType)) return { kind: wireType } as TypeRef;
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      return this.fail(at, 'function-type', `${what} is a function ('${shown}'); only data crosses the wire.`);
    }
    if (name === 'Date' && this.isFromLib(symbol)) {
      return this.fail(at, 'unsupported-type', `${what} is a Date, which the wire format does not carry; send a timestamp as u64 (e.g. nanoseconds).`);
    }
    if (checker.getIndexInfosOfType(type).length > 0) {
      return this.fail(at, 'index-signature', `${what} ('${shown}') has an index signature; use Map<K, V> or a @struct with named fields.`);
    }
    const declaration = symbol?.declarations?.find(tsApi.isClassDeclaration);
    if (declaration) return this.structRef(declaration, at, what);
    return this.fail(at, 'not-a-struct', `${what} has type '${shown}', which is not a wire type; declare it as a @struct() class.`);
  }

  private isFromLib(symbol: ts.Symbol | undefined): boolean {
    return (symbol?.declarations ?? []).some((d) => d.getSourceFile().hasNoDefaultLib || /[\\/]typescript[\\/]lib[\\/]/.test(d.getSourceFile().fileName));
  }

  private structRef(declaration: ts.ClassDeclaration, at: ts.Node, what: string): TypeRef | null {
    const name = declaration.name?.text ?? '';
    const fromDeclarationFile = declaration.getSourceFile().isDeclarationFile;
    if (!fromDeclarationFile && !hasDecorator(this.tsApi, this.checker, declaration, 'struct')) {
      return this.fail(at, 'not-a-struct', `${what} has type '${name}', a class that is not declared as a struct. Add @struct() to it.`);
    }
    const entry = this.structs.get(name);
    if (entry && entry.declaration !== declaration) {
      return this.fail(at, 'name-collision', `${what} uses struct '${name}', but another struct of that name is already used in this contract; rename one.`);
    }
    if (entry?.state === 'visiting') {
      return this.fail(at, 'recursive-struct', `${what} makes struct '${name}' contain itself; the wire format has no references, so structs cannot be recursive.`);
    }
    if (!entry) this.structFromClass(declaration);
    const done = this.structs.get(name)!;
    if (!done.model) {
      if (declaration.getSourceFile() !== this.file) {
        return this.fail(at, 'foreign-struct', `${what} uses struct '${name}' from ${declaration.getSourceFile().fileName}, which is not a valid struct (see the errors there).`);
      }
      return null;
    }
    return { kind: 'struct', name };
  }

  /** Reads a struct class; its fields' structs come first in the order. */
  structFromClass(declaration: ts.ClassDeclaration): void {
    const { tsApi, checker } = this;
    const name = declaration.name?.text ?? '';
    if (this.structs.has(name)) return;
    const entry: StructEntry = { model: null, state: 'visiting', declaration };
    this.structs.set(name, entry);
    const errorsBefore = this.errorCount;
    const fields: FieldModel[] = [];
    if (declaration.heritageClauses?.some((h) => h.token === tsApi.SyntaxKind.ExtendsKeyword)) {
      this.report(declaration.name ?? declaration, 'struct-member', `struct '${name}' extends another class; structs list their fields themselves (a field of the other struct's type also works).`);
    }
    for (const member of declaration.members) {
      if (isStatic(tsApi, member) || tsApi.isConstructorDeclaration(member) || tsApi.isSemicolonClassElement(member)) continue;
      if (!tsApi.isPropertyDeclaration(member)) {
        const memberName = member.name?.getText() ?? 'a member';
        this.report(member.name ?? member, 'struct-member', `struct '${name}' declares '${memberName}', which is not a field; structs hold data only (decoded values are plain objects).`);
        continue;
      }
      if (!tsApi.isIdentifier(member.name)) {
        this.report(member.name, 'struct-member', `field '${member.name.getText()}' of struct '${name}' needs a plain identifier name.`);
        continue;
      }
      const fieldName = member.name.text;
      if (member.questionToken) {
        this.report(member, 'optional', `field '${fieldName}' of struct '${name}' is optional; every field is always sent. Remove the '?'.`);
        continue;
      }
      const symbol = checker.getSymbolAtLocation(member.name);
      if (!symbol) continue;
      const type = checker.getTypeOfSymbolAtLocation(symbol, member);
      const ref = this.resolve(type, member.type ?? member.name, `field '${fieldName}' of struct '${name}'`);
      if (ref) fields.push({ name: fieldName, type: ref });
    }
    entry.state = 'done';
    if (this.errorCount === errorsBefore || declaration.getSourceFile() !== this.file) {
      const complete = fields.length === declaration.members.filter((m) => tsApi.isPropertyDeclaration(m) && !isStatic(tsApi, m)).length;
      if (complete) {
        entry.model = { name, fields, local: declaration.getSourceFile() === this.file };
        this.order.push(entry.model);
      }
    }
  }

}

function isStatic(tsApi: typeof ts, member: ts.ClassElement): boolean {
  return (tsApi.getCombinedModifierFlags(member) & tsApi.ModifierFlags.Static) !== 0;
}
