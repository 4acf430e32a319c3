import type * as ts from 'typescript';

export type DecoratorKind = 'struct' | 'interface' | 'events';
const KINDS: readonly string[] = ['struct', 'interface', 'events'];

/**
 * Which ts-ipa decorator a decorator expression applies, if any. The runtime's decorators return
 * a type branded `__ipaDecorator`, so they are recognised by type, whatever path or alias they
 * are imported under, from sources and `.d.ts` files alike. `called` is false for a decorator
 * factory used without its call (`@struct` instead of `@struct()`).
 */
export function decoratorKind(
  tsApi: typeof ts,
  checker: ts.TypeChecker,
  expression: ts.Expression,
): { kind: DecoratorKind; called: boolean } | null {
  const type = checker.getTypeAtLocation(expression);
  const direct = brandOf(checker, type, '__ipaDecorator');
  if (direct && KINDS.includes(direct)) return { kind: direct as DecoratorKind, called: true };
  for (const signature of type.getCallSignatures()) {
    const returned = brandOf(checker, checker.getReturnTypeOfSignature(signature), '__ipaDecorator');
    if (returned && KINDS.includes(returned)) return { kind: returned as DecoratorKind, called: false };
  }
  void tsApi;
  return null;
}

/** The wire type a runtime class stands for (its `__ipaWireType` brand), if any. */
export function wireTypeOf(checker: ts.TypeChecker, type: ts.Type): string | null {
  return brandOf(checker, type, '__ipaWireType');
}

/** The string literal of an optional brand property (`readonly __x?: 'literal'`). */
export function brandOf(checker: ts.TypeChecker, type: ts.Type, property: string): string | null {
  const symbol = checker.getPropertyOfType(type, property);
  if (!symbol) return null;
  const brand = checker.getNonNullableType(checker.getTypeOfSymbol(symbol));
  return brand.isStringLiteral() ? brand.value : null;
}

/** Whether a class declaration carries the given ts-ipa decorator. */
export function hasDecorator(tsApi: typeof ts, checker: ts.TypeChecker, node: ts.ClassDeclaration, kind: DecoratorKind): boolean {
  return (tsApi.getDecorators(node) ?? []).some((d) => decoratorKind(tsApi, checker, d.expression)?.kind === kind);
}
