/** The IPA of the parity contract: it describes what it got and sends back what it is given. */
import { ControlInfoMap, ControlList, defineIPA, FrameBufferPlane, SharedFD } from '../../runtime';
import { ParityInterface, type Outer } from './parity';

/** A value as exactly as a string can say it: -0, NaN, bigints, prototypes, key order. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `${Object.getPrototypeOf(v) === Array.prototype ? '' : 'not an Array'}[${v.map(describeValue).join(', ')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${describeValue(k)} => ${describeValue(x)}`).join(', ')}}`;
  if (v instanceof SharedFD) return `SharedFD(${v.isValid ? 'valid' : 'invalid'})`;
  if (v instanceof FrameBufferPlane) return `Plane(${describeValue(v.fd)}, ${v.offset}, ${v.length})`;
  if (v instanceof ControlList) {
    const values = [...v].map(([id, value]) => `${id}: ${value.type}${value.isArray ? '[]' : ''} ${describeValue(value.value)}`);
    return `ControlList(${v.idMap?.name}${v.infoMap ? ', with info' : ''}){${values.join(', ')}}`;
  }
  if (v instanceof ControlInfoMap) {
    return `ControlInfoMap(${v.idMap.name}){${[...v].map(([id, info]) => `${id.id}: ${info}`).join(', ')}}`;
  }
  const proto = Object.getPrototypeOf(v);
  const name = proto === Object.prototype ? '' : proto?.constructor?.name ?? 'null-prototype';
  return `${name}{${Object.keys(v).map((k) => `${k}: ${describeValue((v as Record<string, unknown>)[k])}`).join(', ')}}`;
}

function change(value: Outer): void {
  value.name = 'changed by the IPA';
  value.inner.level = 1;
  value.history.push(value.inner);
  value.byId.clear();
}

export default defineIPA(ParityInterface, (events) => ({
  init() {},
  start() {},
  stop() {},
  numbers: (...args: unknown[]) => describeValue(args),
  table: (...args: unknown[]) => describeValue(args),
  buffers: (...args: unknown[]) => describeValue(args),
  outer(value: Outer) {
    const seen = describeValue(value);
    change(value);
    return seen;
  },
  reply: (value: number, text: string) => ({ ret: text.length, half: value / 2, ratio: value, text }),
  echo(value: number, ratio: number, text: string) {
    try {
      events.echoed(value, ratio, text);
    } catch (error) {
      events.refused(`${(error as Error).name}: ${(error as Error).message}`);
    }
  },
  echoOuter(value: Outer) {
    try {
      events.outer(value);
      // Two keys here, one on the wire: the caller's end refuses this one.
      if (value.on) events.outer({ ...value, weights: new Map([[0.1, 'a'], [0.10000000149011612, 'b']]) });
    } catch (error) {
      events.refused(`${(error as Error).name}: ${(error as Error).message}`);
    }
    change(value);
  },
}));
