import type { FieldModel, MethodModel } from '../../runtime/model';
import { indent, literal } from './struct';
import type { ValueEmitter } from './values';
import { local, objectOf } from './locals';
import { paramsNames, replyNames } from './names';

/**
 * The payload of a call, a reply or an event, as libcamera's generated proxies pack it: no
 * values, no bytes; one value, its bytes alone; more, a size table (a size per value, and an fd
 * count after each value whose type can carry fds) followed by the values.
 */
function encodeValues(values: ValueEmitter, fields: FieldModel[], expr: (f: FieldModel) => string, context: string): string[] {
  const name = (f: FieldModel): string => JSON.stringify(`${context}.${f.name}`);
  if (fields.length === 1) return [values.encode(fields[0]!.type, expr(fields[0]!), name(fields[0]!))];
  if (fields.length === 0) return [];
  const words = fields.reduce((n, f) => n + (values.carriesFds(f.type) ? 2 : 1), 0);
  return [
    `w.beginTable(${words});`,
    ...fields.flatMap((f) => [
      values.encode(f.type, expr(f), name(f)),
      values.carriesFds(f.type) ? 'w.tableEntryWithFds();' : 'w.tableEntry();',
    ]),
  ];
}

function decodeValues(values: ValueEmitter, fields: FieldModel[], context: string): string[] {
  const name = (f: FieldModel): string => JSON.stringify(`${context}.${f.name}`);
  if (fields.length === 1) return [`const ${local(fields[0]!.name)} = ${values.decode(fields[0]!.type, name(fields[0]!))};`];
  if (fields.length === 0) return [];
  const words = fields.reduce((n, f) => n + (values.carriesFds(f.type) ? 2 : 1), 0);
  return [
    `r.beginTable(${words}, ${JSON.stringify(context)});`,
    ...fields.flatMap((f) => [
      values.carriesFds(f.type) ? `r.enterParamWithFds(${name(f)});` : `r.enterParam(${name(f)});`,
      `const ${local(f.name)} = ${values.decode(f.type, name(f))};`,
      `r.leaveParam(${name(f)});`,
    ]),
  ];
}

function fn(signature: string, body: string[]): string {
  return body.length === 0 ? `function ${signature} {\n}` : `function ${signature} {\n${indent(body, 1)}\n}`;
}

/**
 * `encode<M>Call(w, ...params)` and `decode<M>Call(r)`, which returns the parameters in order;
 * and `copy<M>Call(c, ...params)`, which returns them as decoding them would.
 */
export function emitCall(method: MethodModel, values: ValueEmitter, suffix: 'Call' | 'Event'): string {
  const names = paramsNames(method, suffix);
  const params = method.params.map((p) => local(p.name));
  const list = params.map((p) => `, ${p}`).join('');
  const name = (f: FieldModel): string => JSON.stringify(`${method.name}.${f.name}`);
  const copied = method.params.map((p) => values.copy(p.type, local(p.name), name(p)));
  return [
    fn(`${names.encode}(w${list})`, encodeValues(values, method.params, (p) => local(p.name), method.name)),
    fn(`${names.decode}(r)`, [...decodeValues(values, method.params, method.name), `return [${params.join(', ')}];`]),
    fn(`${names.copy}(c${list})`, [`return ${literal('[', copied, ']', 0)};`]),
  ].join('\n\n');
}

/**
 * `encode<M>Reply(w, result)`, `decode<M>Reply(r)` and `copy<M>Reply(c, result)`. The C++ return value (see
 * MethodModel.firstResultIsReturnValue) comes first, raw; the other results follow as a payload.
 */
export function emitReply(method: MethodModel, values: ValueEmitter): string {
  const names = replyNames(method);
  const [first, ...rest] = method.results;
  const returned = method.firstResultIsReturnValue ? first : undefined;
  const outputs = returned ? rest : method.results;
  const context = `${method.name} reply`;
  const expr = (f: FieldModel): string => (method.resultsAsObject ? `result.${f.name}` : 'result');
  const name = (f: FieldModel): string => JSON.stringify(`${context}.${f.name}`);

  const encode = [
    ...(returned ? [values.encode(returned.type, expr(returned), name(returned))] : []),
    ...encodeValues(values, outputs, expr, context),
  ];
  // A single result spans the whole reply, whichever way it travels.
  const decode = first && !method.resultsAsObject
    ? [`return ${values.decode(first.type, name(first))};`]
    : [
      ...(returned ? [`const ${local(returned.name)} = ${values.decode(returned.type, name(returned))};`] : []),
      ...decodeValues(values, outputs, context),
      ...(method.resultsAsObject ? [`return ${objectOf(method.results.map((r) => r.name))};`] : []),
    ];
  const resultParam = method.results.length > 0 ? ', result' : '';
  // A reply of no results is undefined, whatever the IPA returned.
  const copy = method.resultsAsObject
    ? [`return ${literal('{', method.results.map((r) => `${r.name}: ${values.copy(r.type, expr(r), name(r))}`), '}', 0)};`]
    : first ? [`return ${values.copy(first.type, expr(first), name(first))};`] : [];
  return [
    fn(`${names.encode}(w${resultParam})`, encode),
    fn(`${names.decode}(r)`, decode),
    fn(`${names.copy}(${first ? 'c, result' : ''})`, copy),
  ].join('\n\n');
}
