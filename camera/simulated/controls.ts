import { ControlType, DeviceError, type ControlDescription, type V4L2ControlValue } from '../../runtime/v4l2';

/** Controls held in memory, validated as the kernel does: integers clamped, menus checked. */
export class SimulatedControls {
  private readonly values = new Map<number, number>();
  /** Counts the changes, so that a renderer knows when to start again. */
  version = 0;

  constructor(private readonly path: string, private readonly descriptions: ControlDescription[]) {
    for (const d of descriptions) this.values.set(d.id, Number(d.defaultValue));
  }

  controls(): ControlDescription[] {
    return this.descriptions;
  }

  value(id: number): number {
    return this.values.get(id)!;
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    return ids.map((id) => {
      this.describe(id, 'VIDIOC_G_EXT_CTRLS');
      return this.values.get(id)!;
    });
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    const applied = values.map(([id, value]) => {
      const d = this.describe(id, 'VIDIOC_S_EXT_CTRLS');
      if (d.flags & CONTROL_FLAG_READ_ONLY) throw this.error('EACCES', 'VIDIOC_S_EXT_CTRLS', `Permission denied (control 0x${id.toString(16).padStart(8, '0')} is read-only)`);
      if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`control 0x${id.toString(16)} (${d.name}) takes a number`);
      const n = Number(value);
      if (d.type === ControlType.Menu && !d.menu?.some((m) => m.index === n)) {
        throw this.error('EINVAL', 'VIDIOC_S_EXT_CTRLS', `Invalid argument (control 0x${id.toString(16).padStart(8, '0')})`);
      }
      return [id, Math.max(Number(d.minimum), Math.min(Number(d.maximum), Math.trunc(n)))] as const;
    });
    for (const [id, value] of applied) this.values.set(id, value);
    this.version++;
    return applied.map(([, value]) => value);
  }

  /**
   * Changes an integer control's range, as a driver does when a new mode bounds it (a sensor's
   * exposure by its frame length); the value is clamped into it.
   */
  setRange(id: number, minimum: number, maximum: number, defaultValue: number): void {
    const index = this.descriptions.findIndex((d) => d.id === id);
    if (index < 0) throw new RangeError(`${this.path}: no control 0x${id.toString(16)}`);
    const d = this.descriptions[index]!;
    this.descriptions[index] = { ...d, minimum: BigInt(minimum), maximum: BigInt(maximum), defaultValue: BigInt(defaultValue) };
    this.values.set(id, Math.max(minimum, Math.min(maximum, this.values.get(id)!)));
    this.version++;
  }

  private describe(id: number, call: string): ControlDescription {
    const d = this.descriptions.find((x) => x.id === id);
    if (!d) throw this.error('EINVAL', call, `Invalid argument (control 0x${id.toString(16).padStart(8, '0')})`);
    return d;
  }

  private error(code: string, call: string, what: string): DeviceError {
    return new DeviceError(`${this.path}: ${call}: ${what}`, code, code === 'EINVAL' ? 22 : code === 'EACCES' ? 13 : undefined, call, this.path);
  }
}

/** V4L2_CTRL_FLAG_READ_ONLY. */
export const CONTROL_FLAG_READ_ONLY = 0x0004;

export function integerControl(id: number, name: string, minimum: number, maximum: number, defaultValue: number, step = 1): ControlDescription {
  return { id, name, type: ControlType.Integer, minimum: BigInt(minimum), maximum: BigInt(maximum), step: BigInt(step), defaultValue: BigInt(defaultValue), flags: 0 };
}

/** A read-only 64-bit control whose value is fixed (a sensor's pixel rate). */
export function readOnlyInteger64Control(id: number, name: string, value: number): ControlDescription {
  return { id, name, type: ControlType.Integer64, minimum: BigInt(value), maximum: BigInt(value), step: 1n, defaultValue: BigInt(value), flags: CONTROL_FLAG_READ_ONLY };
}

export function booleanControl(id: number, name: string): ControlDescription {
  return { id, name, type: ControlType.Boolean, minimum: 0n, maximum: 1n, step: 1n, defaultValue: 0n, flags: 0 };
}

export function menuControl(id: number, name: string, items: Record<number, string>, defaultValue: number): ControlDescription {
  const indexes = Object.keys(items).map(Number);
  return {
    id, name, type: ControlType.Menu, minimum: BigInt(Math.min(...indexes)), maximum: BigInt(Math.max(...indexes)), step: 1n,
    defaultValue: BigInt(defaultValue), flags: 0, menu: indexes.map((index) => ({ index, name: items[index]! })),
  };
}
