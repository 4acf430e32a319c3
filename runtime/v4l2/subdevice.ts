import fs from 'node:fs';
import { native } from '../native';
import { Colorspace, FormatWhich, SelectionTarget } from './constants';
import { DeviceControls } from './controls';
import { onDevice, openDeviceNode } from './device-node';
import type { ControlDescription, MbusFormat, Rectangle, Subdevice, V4L2ControlValue } from './types';

/** A V4L2 sub-device (/dev/v4l-subdevN): pad formats, crop and controls, on the active state. */
export class V4L2Subdevice implements Subdevice {
  private readonly ctrls: DeviceControls;
  private fd: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
    this.ctrls = new DeviceControls(path, () => this.fd);
  }

  static open(path: string): V4L2Subdevice {
    return new V4L2Subdevice(path, openDeviceNode(path));
  }

  format(pad: number): MbusFormat {
    return onDevice(this.path, () => native().subdevFormat(this.fd, pad, FormatWhich.Active));
  }

  /** Sets a pad's format (sRGB unless said otherwise) and returns what the driver chose. */
  setFormat(pad: number, format: MbusFormat): MbusFormat {
    return onDevice(this.path, () => native().subdevSetFormat(this.fd, pad, FormatWhich.Active, { colorspace: Colorspace.Srgb, ...format }));
  }

  mbusCodes(pad: number): number[] {
    return onDevice(this.path, () => native().subdevMbusCodes(this.fd, pad, FormatWhich.Active));
  }

  crop(pad: number): Rectangle {
    return onDevice(this.path, () => native().subdevSelection(this.fd, pad, FormatWhich.Active, SelectionTarget.Crop));
  }

  setCrop(pad: number, rectangle: Rectangle): Rectangle {
    return onDevice(this.path, () => native().subdevSelection(this.fd, pad, FormatWhich.Active, SelectionTarget.Crop, rectangle));
  }

  controls(): ControlDescription[] {
    return this.ctrls.controls();
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    return this.ctrls.getControls(ids);
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    return this.ctrls.setControls(values);
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}
