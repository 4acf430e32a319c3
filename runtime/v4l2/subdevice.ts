import fs from 'node:fs';
import { native } from '../native';
import { Colorspace, EventType, FormatWhich, SelectionTarget } from './constants';
import { V4L2Device } from './controls';
import { DeviceError, onDevice, openDeviceNode } from './device-node';
import type { MbusFormat, Rectangle, Subdevice } from './types';

/**
 * A V4L2 sub-device (/dev/v4l-subdevN): pad formats, crop and controls, on the active state, and
 * frame start events.
 */
export class V4L2Subdevice extends V4L2Device implements Subdevice {
  private frameStart: ((sequence: number) => void) | undefined;
  private eventWatcher: InstanceType<ReturnType<typeof native>['DeviceWatcher']> | undefined;

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

  /**
   * Subscribes to V4L2_EVENT_FRAME_SYNC with the first handler and watches for it (POLLPRI);
   * `undefined` unsubscribes and stops watching.
   */
  onFrameStart(handler: ((sequence: number) => void) | undefined): void {
    if (handler === undefined) return this.stopFrameStart();
    if (typeof handler !== 'function') throw new TypeError(`${this.path}: onFrameStart takes a function or undefined, not ${typeof handler}`);
    if (!this.eventWatcher) {
      try {
        native().subscribeEvent(this.fd, EventType.FrameSync, 0);
      } catch (error) {
        const e = error as Error & { code?: string; errno?: number; syscall?: string };
        if (e.code === undefined) throw error;
        throw new DeviceError(`${this.path}: sends no frame start events (VIDIOC_SUBSCRIBE_EVENT V4L2_EVENT_FRAME_SYNC: ${e.message.replace(/^[^:]*: /, '')})`, e.code, e.errno, e.syscall, this.path);
      }
      this.eventWatcher = new (native().DeviceWatcher)(this.fd, 'priority', (error) => this.dequeueEvents(error));
      this.eventWatcher.start();
    }
    this.frameStart = handler;
  }

  private dequeueEvents(error: Error | undefined): void {
    for (;;) {
      if (!this.eventWatcher) return;
      const event = onDevice(this.path, () => native().dequeueEvent(this.fd));
      if (!event) break;
      if (event.type === EventType.FrameSync) this.frameStart?.(event.frameSequence!);
    }
    // The watcher stopped itself on a poll error: carry on while subscribed.
    if (error) setImmediate(() => this.eventWatcher?.start());
  }

  private stopFrameStart(): void {
    this.frameStart = undefined;
    const watcher = this.eventWatcher;
    if (!watcher) return;
    this.eventWatcher = undefined;
    watcher.close();
    onDevice(this.path, () => native().unsubscribeEvent(this.fd, EventType.FrameSync, 0));
  }

  /** Unsubscribes and closes the device, whatever fails on the way. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.stopFrameStart();
    } finally {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}
