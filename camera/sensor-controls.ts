import { ControlId, ControlIdMap, ControlInfo, ControlInfoMap, ControlType, ControlValue } from '../runtime';
import { ControlType as V4L2ControlType, type ControlDescription } from '../runtime/v4l2';

/**
 * A sub-device's V4L2 controls as a ControlInfoMap over V4L2 ids (what libcamera's
 * V4L2Device::controls() gives an IPA): integers, booleans and menus; the rest are left out.
 */
export function v4l2ControlInfoMap(descriptions: readonly ControlDescription[]): ControlInfoMap {
  const entries: [ControlId, ControlInfo][] = [];
  for (const d of descriptions) {
    if (d.type === V4L2ControlType.Integer64) {
      entries.push([new ControlId(d.id, d.name, ControlType.Integer64), new ControlInfo(ControlValue.i64(d.minimum), ControlValue.i64(d.maximum), ControlValue.i64(d.defaultValue))]);
    } else if (d.type === V4L2ControlType.Boolean) {
      entries.push([new ControlId(d.id, d.name, ControlType.Bool), new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(d.defaultValue !== 0n))]);
    } else if (d.type === V4L2ControlType.Integer || d.type === V4L2ControlType.Menu || d.type === V4L2ControlType.IntegerMenu) {
      entries.push([new ControlId(d.id, d.name, ControlType.Integer32), new ControlInfo(ControlValue.i32(Number(d.minimum)), ControlValue.i32(Number(d.maximum)), ControlValue.i32(Number(d.defaultValue)))]);
    }
  }
  return new ControlInfoMap(entries, new ControlIdMap('v4l2', entries.map(([id]) => id)));
}
