/**
 * The oracle traces recorded from libcamera's C++ IPAs (../shared/reference/oracle, its README
 * the format), read for the benchmarks: where they are, and the JSON values a setup call needs
 * as runtime values.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ControlId, ControlIdMap, ControlInfo, ControlInfoMap, ControlType, ControlValue, type IPACameraSensorInfo,
} from '../runtime';

const root = path.join(__dirname, '../..');
const candidates = [process.env.TS_IPA_ORACLE_DIR, path.join(root, '../shared/reference/oracle'), '/work/shared/reference/oracle']
  .filter((dir): dir is string => Boolean(dir));

/** The directory holding every one of `traces`, if one does; else where it looked. */
export function findTraces(traces: readonly string[]): { dir: string } | { why: string } {
  const dir = candidates.find((d) => traces.every((t) => fs.existsSync(path.join(d, t))));
  return dir ? { dir } : { why: `${traces.join(', ')} not found in ${candidates.join(', ')} (set TS_IPA_ORACLE_DIR)` };
}

const TYPES: Readonly<Record<string, ControlType>> = {
  bool: ControlType.Bool, byte: ControlType.Byte, uint16: ControlType.Unsigned16, uint32: ControlType.Unsigned32,
  int32: ControlType.Integer32, int64: ControlType.Integer64, float: ControlType.Float,
};

/** A trace's ControlInfoMap entry (README "Values"). */
export interface TraceInfo { name: string; type: string; array?: number | 'dynamic'; min: unknown; max: unknown; def: unknown }

function scalarValue(type: ControlType, v: unknown): ControlValue {
  if (v === null) return ControlValue.none;
  if (Array.isArray(v)) return ControlValue.array(type, v.map((x) => (type === ControlType.Integer64 ? BigInt(x as number) : x)));
  return new ControlValue(type, type === ControlType.Integer64 ? BigInt(v as number) : (v as number | boolean));
}

/** A trace's ControlInfoMap of V4L2 controls (scalar and numeric, as the sensor's are). */
export function sensorInfoMapOf(json: Readonly<Record<string, TraceInfo>>): ControlInfoMap {
  const entries = Object.entries(json).map(([id, e]) => {
    const type = TYPES[e.type];
    if (type === undefined) throw new TypeError(`control ${id} (${e.name}): type ${e.type} is not read here`);
    const controlId = new ControlId(Number(id), e.name, type, { isArray: e.array !== undefined });
    return [controlId, new ControlInfo(scalarValue(type, e.min), scalarValue(type, e.max), scalarValue(type, e.def))] as const;
  });
  return new ControlInfoMap(entries, new ControlIdMap('v4l2', entries.map(([id]) => id)));
}

/** A trace's IPACameraSensorInfo (its pixel rate a uint64). */
export function sensorInfoOf(json: Readonly<Record<string, unknown>>): IPACameraSensorInfo {
  return { ...json, pixelRate: BigInt(json['pixelRate'] as number) } as unknown as IPACameraSensorInfo;
}
