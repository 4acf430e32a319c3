/** `ts-ipa inspect <contract module>`: the contract model of every IPA interface a module exports. */
import path from 'node:path';
import { contractModel, type ContractModel, type FieldModel, type TypeRef } from '../runtime';

export function typeText(type: TypeRef): string {
  switch (type.kind) {
    case 'number': return type.width;
    case 'bool': return 'boolean';
    case 'string': return 'string';
    case 'enum': return type.name;
    case 'flags': return `Flags<${type.enum}>`;
    case 'struct': return type.name;
    case 'array': return `${typeText(type.element)}[]`;
    case 'map': return `Map<${typeText(type.key)}, ${typeText(type.value)}>`;
    default: return type.kind;
  }
}

const fields = (list: FieldModel[]): string => list.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ');

export function describeModel(model: ContractModel): string {
  const lines = [`IPA module '${model.module}' (contract model ${model.hash})`, '', `${model.interface!.name}  (cmd 0: Exit)`];
  for (const m of model.interface!.methods) {
    const results = m.kind === 'oneway' ? 'one-way' : m.results.length === 0 ? 'Promise<void>' : m.resultsAsObject ? `Promise<{ ${fields(m.results)} }>` : `Promise<${typeText(m.results[0]!.type)}>`;
    lines.push(`  ${String(m.cmd).padStart(3)}  ${m.name}(${fields(m.params)}) → ${results}${m.resetsControls ? '  [resets ControlSerializer]' : ''}`);
  }
  lines.push('', `${model.events!.name}`);
  for (const e of model.events!.methods) lines.push(`  ${String(e.cmd).padStart(3)}  ${e.name}(${fields(e.params)})`);
  if (model.structs.length) lines.push('', 'structs');
  for (const s of model.structs) lines.push(`  ${s.name} { ${fields(s.fields)} }`);
  if (model.enums.length) lines.push('', 'enums');
  for (const e of model.enums) lines.push(`  ${e.name} { ${e.members.map((m) => `${m.name} = ${m.value}`).join(', ')} }`);
  if (model.consts.length) lines.push('', 'constants');
  for (const c of model.consts) lines.push(`  ${c.name}: ${typeText(c.type)} = ${c.value}`);
  return lines.join('\n');
}

/** Loads a compiled contract module and returns the models of the interfaces it exports. */
export function inspect(modulePath: string): ContractModel[] {
  const resolved = path.resolve(modulePath);
  const exports = require(resolved) as Record<string, unknown>;
  const models: ContractModel[] = [];
  for (const value of Object.values(exports)) {
    if (typeof value !== 'function') continue;
    try {
      models.push(contractModel(value as abstract new () => unknown));
    } catch {
      // Not an IPA interface: structs and enums are part of the interfaces' models.
    }
  }
  return models;
}
