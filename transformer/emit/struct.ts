import type { StructModel } from '../../runtime/model';
import type { ValueEmitter } from './values';
import { local, objectOf } from './locals';
import { structNames } from './names';

/**
 * `encodeX(w, v)` and `decodeX(r)`: fields in declaration order, no header, no total size. And
 * `copyX(c, v)`, what the two make of a value: a new object of the declared fields only.
 */
export function emitStruct(struct: StructModel, values: ValueEmitter): string {
  const names = structNames(struct.name);
  const field = (name: string): string => JSON.stringify(`${struct.name}.${name}`);
  const encode = struct.fields.flatMap((f) => values.encodeField(f.type, `v.${f.name}`, field(f.name)));
  const decode = struct.fields.flatMap((f) => values.decodeField(f.type, local(f.name), field(f.name)));
  const codec = `function ${names.encode}(w, v) {
    w.object(v, ${JSON.stringify(struct.name)});
${indent(encode, 1)}
}

function ${names.decode}(r) {
${indent(decode, 1)}
    return ${objectOf(struct.fields.map((f) => f.name))};
}`;
  if (!values.copies) return codec;
  const copied = struct.fields.map((f) => `${f.name}: ${values.copyField(f.type, `v.${f.name}`, field(f.name))}`);
  return `${codec}

function ${names.copy}(c, v) {
    c.object(v, ${JSON.stringify(struct.name)});
    return ${literal('{', copied, '}', 1)};
}`;
}

export function indent(lines: string[], depth: number): string {
  const pad = '    '.repeat(depth);
  return lines.flatMap((l) => l.split('\n')).map((l) => (l ? pad + l : l)).join('\n');
}

/** An array or object literal: on one line when it is short, else an item a line. */
export function literal(open: string, items: string[], close: string, depth: number): string {
  const pad = open === '{' ? ' ' : '';
  const flat = items.length === 0 ? `${open}${close}` : `${open}${pad}${items.join(', ')}${pad}${close}`;
  if (flat.length + depth * 4 + 8 <= 100) return flat;
  return `${open}\n${indent(items.map((item) => `${item},`), depth + 1)}\n${'    '.repeat(depth)}${close}`;
}
