/** The oracle traces' JSON values (README "Values") as runtime values, and runtime values back as the traces write them. */
import { runtime } from '../../support';

const { ControlList, ControlInfoMap, ControlInfo, ControlValue, ControlId, ControlIdMap, ControlType, ControlDirection, controlIds } = runtime;


const TYPES: Record<string, number> = {
  bool: ControlType.Bool, byte: ControlType.Byte, uint16: ControlType.Unsigned16, uint32: ControlType.Unsigned32,
  int32: ControlType.Integer32, int64: ControlType.Integer64, float: ControlType.Float, string: ControlType.String,
};

export interface JsonValue { name: string; type: string; value: unknown }
export interface JsonInfo { name: string; type: string; direction?: ('in' | 'out')[]; array?: number | 'dynamic'; min: unknown; max: unknown; def: unknown }

export function valueOf(type: string, v: unknown, isArray = Array.isArray(v)): runtime.ControlValue {
  if (v === null) return ControlValue.none;
  const t = TYPES[type]!;
  const scalar = (x: unknown) => (t === ControlType.Integer64 ? BigInt(x as number) : x);
  return isArray ? ControlValue.array(t as never, (v as unknown[]).map(scalar) as never) : new ControlValue(t as never, scalar(v) as never);
}

export function infoMapOf(json: Record<string, JsonInfo>): runtime.ControlInfoMap {
  const direction = (e: JsonInfo): number => (e.direction?.includes('in') ? ControlDirection.In : 0) | (e.direction?.includes('out') ? ControlDirection.Out : 0);
  const ids = Object.entries(json).map(([id, e]) => new ControlId(Number(id), e.name, TYPES[e.type] as never, { isArray: e.array !== undefined, direction: direction(e) as never }));
  const entries = ids.map((id) => {
    const e = json[String(id.id)]!;
    return [id, new ControlInfo(valueOf(e.type, e.min), valueOf(e.type, e.max), valueOf(e.type, e.def))] as const;
  });
  return new ControlInfoMap(entries, new ControlIdMap('v4l2', ids));
}

export function listOf(json: Record<string, JsonValue>, info?: runtime.ControlInfoMap): runtime.ControlList {
  const list = new ControlList(info ?? controlIds);
  for (const [id, e] of Object.entries(json)) list.setValue(Number(id), valueOf(e.type, e.value));
  return list;
}

/** A runtime value as the trace writes it (bigints as numbers). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

export function listJson(list: runtime.ControlList): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of [...list.entries()].sort((a, b) => a[0] - b[0])) out[id] = plain(value.value);
  return out;
}

export function infoMapJson(map: runtime.ControlInfoMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, info] of [...map.entries()].sort((a, b) => a[0].id - b[0].id)) {
    out[id.id] = { min: info.min.isNone ? null : plain(info.min.value), max: info.max.isNone ? null : plain(info.max.value), def: info.def.isNone ? null : plain(info.def.value) };
  }
  return out;
}

export function expectedInfoMap(json: Record<string, JsonInfo>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, e] of Object.entries(json)) out[id] = { min: e.min, max: e.max, def: e.def };
  return out;
}

export function sensorInfoOf(json: Record<string, unknown>): runtime.IPACameraSensorInfo {
  return { ...(json as object), pixelRate: BigInt(json['pixelRate'] as number) } as unknown as runtime.IPACameraSensorInfo;
}
