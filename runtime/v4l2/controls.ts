import { native } from '../native';
import { onDevice } from './device-node';
import type { ControlDescription, V4L2ControlValue } from './types';

/** The control ioctls, shared by video devices and sub-devices. */
export class DeviceControls {
  constructor(private readonly path: string, private readonly fd: () => number) {}

  controls(): ControlDescription[] {
    return onDevice(this.path, () => native().queryControls(this.fd()));
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    return onDevice(this.path, () => native().getControls(this.fd(), ids));
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    return onDevice(this.path, () => native().setControls(this.fd(), values));
  }
}
