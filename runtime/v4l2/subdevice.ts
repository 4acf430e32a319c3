import fs from 'node:fs';
import { native } from '../native';
import { Colorspace, FormatWhich, SelectionTarget } from './constants';
import { V4L2Device } from './controls';
import { DeviceError, onDevice, openDeviceNode } from './device-node';
import type { MbusFormat, Rectangle, Subdevice } from './types';

/** A V4L2 sub-device (/dev/v4l-subdevN): pad formats, crop and controls, on the active state. */
export class V4L2Subdevice extends V4L2Device implements Subdevice {
  private constructor(path: string, fd: number) {
    super(path, fd);
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

  onFrameStart(): void {
    throw new DeviceError(`${this.path}: frame start events are not supported yet`, 'ENOTTY', undefined, 'VIDIOC_SUBSCRIBE_EVENT', this.path);
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}
