/** Names generated code uses for itself, and words JavaScript reserves. */
const TAKEN = new Set([
  'w', 'r', 'c', 'v', 'result', 'list', 'map', 'field', 'i', 'length', 'key', 'value', 'item', 'entries', 'tsIpa',
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
]);

/** The local variable that holds a field or parameter called `name`. */
export function local(name: string): string {
  return TAKEN.has(name) ? `${name}_` : name;
}

/** `{ a, b: b_ }`: an object literal of fields from their locals. */
export function objectOf(names: string[]): string {
  return `{ ${names.map((n) => (local(n) === n ? n : `${n}: ${local(n)}`)).join(', ')} }`;
}
