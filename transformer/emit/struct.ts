import type { StructModel } from '../../runtime/model';
import type { ValueEmitter } from './values';
import { local, objectOf } from './locals';

/** `encodeX(w, v)` and `decodeX(r)`: fields in declaration order, no header, no total size. */
export function emitStruct(struct: StructModel, values: ValueEmitter): string {
  const field = (name: string): string => JSON.stringify(`${struct.name}.${name}`);
  const encode = struct.fields.flatMap((f) => values.encodeField(f.type, `v.${f.name}`, field(f.name)));
  const decode = struct.fields.flatMap((f) => values.decodeField(f.type, local(f.name), field(f.name)));
  return `function encode${struct.name}(w, v) {
    w.object(v, ${JSON.stringify(struct.name)});
${indent(encode, 1)}
}

function decode${struct.name}(r) {
${indent(decode, 1)}
    return ${objectOf(struct.fields.map((f) => f.name))};
}`;
}

export function indent(lines: string[], depth: number): string {
  const pad = '    '.repeat(depth);
  return lines.flatMap((l) => l.split('\n')).map((l) => (l ? pad + l : l)).join('\n');
}
