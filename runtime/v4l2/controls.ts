import { native } from '../native';
import { onDevice } from './device-node';
import type { Controllable, ControlDescription, V4L2ControlValue } from './types';

/** An open V4L2 device node and its controls: what sub-devices and video devices share. */
export abstract class V4L2Device implements Controllable {
  protected constructor(readonly path: string, protected fd: number) {}

  controls(): ControlDescription[] {
    return onDevice(this.path, () => native().queryControls(this.fd));
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    return onDevice(this.path, () => native().getControls(this.fd, ids));
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    return onDevice(this.path, () => native().setControls(this.fd, values));
  }
}
