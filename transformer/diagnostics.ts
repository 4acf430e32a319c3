import type * as ts from 'typescript';

/**
 * Every rule a contract can break, with its code. Messages name the rule and say how to fix it;
 * the same text reaches `tsc` output and the editor.
 */
export const rules = {
  'plain-number': 99001,
  'plain-bigint': 99002,
  'width-mismatch': 99003,
  'unsupported-type': 99004,
  'union': 99005,
  'optional': 99006,
  'any-unknown': 99007,
  'index-signature': 99008,
  'function-type': 99009,
  'not-a-struct': 99010,
  'map-key': 99011,
  'recursive-struct': 99012,
  'struct-member': 99013,
  'missing-method': 99014,
  'stop-signature': 99015,
  'method-return': 99016,
  'method-kind': 99017,
  'duplicate-name': 99018,
  'events': 99019,
  'event-return': 99020,
  'interface-shape': 99021,
  'module-name': 99022,
  'enum-values': 99023,
  'name-collision': 99024,
  'decorator-call': 99025,
  'foreign-struct': 99026,
  'parameter': 99027,
  'reserved-name': 99028,
} as const;

export type Rule = keyof typeof rules;

/** Records a broken rule at a node. */
export type Report = (node: ts.Node, rule: Rule, message: string) => void;

export interface ContractDiagnostic {
  rule: Rule;
  message: string;
  file: ts.SourceFile;
  start: number;
  length: number;
}

export function toTsDiagnostic(tsApi: typeof ts, d: ContractDiagnostic): ts.Diagnostic {
  return {
    category: tsApi.DiagnosticCategory.Error,
    code: rules[d.rule],
    file: d.file,
    start: d.start,
    length: d.length,
    messageText: `[ts-ipa/${d.rule}] ${d.message}`,
    source: 'ts-ipa',
  };
}
