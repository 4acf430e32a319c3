/**
 * The V4L2 parts of the native addon and devices that need no driver: bad arguments get typed
 * errors, a node that is no V4L2 device is refused naming the ioctl, and the device watcher
 * starts, reports and closes on an fd this machine has (a socket). The drivers' side runs in the
 * VM (test/vimc/real-vivid.test.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openFds } from './support';
import { native } from '../dist/runtime/native.js';
import { BufferType, DeviceError, V4L2Subdevice, V4L2VideoDevice } from '../dist/runtime/v4l2/index.js';

describe('the V4L2 native calls with bad arguments', () => {
  it('throws TypeError or RangeError naming the argument, and nothing else happens', () => {
    const before = openFds();
    const fd = fs.openSync('/dev/null', 'r');
    try {
      const addon = native() as unknown as Record<string, (...args: unknown[]) => unknown>;
      expect(() => addon.metaFormat!(fd, BufferType.VideoCapture)).toThrow(new RangeError('buffer type 1 is not a metadata type (13 or 14)'));
      expect(() => addon.setMetaFormat!(fd, BufferType.MetaOutput)).toThrow(new TypeError('data format must be a number'));
      expect(() => addon.format!(fd, BufferType.MetaCapture)).toThrow(new RangeError('buffer type 13 is a metadata type: use metaFormat/setMetaFormat'));
      expect(() => addon.setFormat!(fd, BufferType.MetaOutput, {}, false)).toThrow(RangeError);
      expect(() => addon.queueBuffer!(fd, BufferType.MetaOutput, 1, 0, [7])).toThrow(new TypeError('plane 0 must be an object'));
      expect(() => addon.queueBuffer!(fd, BufferType.MetaOutput, 1, 0, [{ bytesUsed: 'all' }])).toThrow(new TypeError('bytesUsed must be a number'));
      expect(() => addon.subscribeEvent!(fd, 4)).toThrow(new TypeError('event id must be a number'));
      expect(() => addon.unsubscribeEvent!('x', 4, 0)).toThrow(new TypeError('argument 1 must be an fd number'));
      expect(() => addon.dequeueEvent!(-1)).toThrow(new TypeError('argument 1 must be an fd number'));
      const Watcher = native().DeviceWatcher as unknown as new (...args: unknown[]) => unknown;
      expect(() => new Watcher(fd, 'sometimes', () => {})).toThrow(new TypeError("events must be 'readable', 'writable' or 'priority'"));
      expect(() => new Watcher(fd, 'priority')).toThrow(new TypeError('onReady must be a function'));
      expect(() => new Watcher(fd, 'readable', 'later')).toThrow(new TypeError('onReady must be a function'));
      // /dev/null cannot be polled: libuv says so when the watcher is made.
      expect(() => new Watcher(fd, 'priority', () => {})).toThrow(expect.objectContaining({ code: 'EPERM', syscall: 'uv_poll_init' }));
      // Not a V4L2 node: the kernel refuses the ioctls themselves.
      expect(() => native().dequeueEvent(fd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'VIDIOC_DQEVENT' }));
      expect(() => native().metaFormat(fd, BufferType.MetaCapture)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'VIDIOC_G_FMT' }));
    } finally {
      fs.closeSync(fd);
    }
    expect(openFds()).toBe(before);
  });
});

describe('V4L2 devices on a node that is no V4L2 device', () => {
  it('refuses to open it as a video node, naming the ioctl and the path, and leaves no fd', () => {
    const before = openFds();
    expect(() => V4L2VideoDevice.open('/dev/null')).toThrow(expect.objectContaining({ name: 'DeviceError', code: 'ENOTTY', syscall: 'VIDIOC_QUERYCAP', path: '/dev/null' }));
    expect(openFds()).toBe(before);
  });

  it('refuses frame start events with DeviceError naming the device and the ioctl, and stays closable', () => {
    const before = openFds();
    const subdevice = V4L2Subdevice.open('/dev/null');
    try {
      subdevice.onFrameStart(() => {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeviceError);
      expect(error).toMatchObject({ code: 'ENOTTY', syscall: 'VIDIOC_SUBSCRIBE_EVENT', path: '/dev/null' });
      expect((error as Error).message).toBe('/dev/null: sends no frame start events (VIDIOC_SUBSCRIBE_EVENT V4L2_EVENT_FRAME_SYNC: Inappropriate ioctl for device)');
    }
    expect(() => subdevice.onFrameStart(7 as unknown as () => void)).toThrow(new TypeError('/dev/null: onFrameStart takes a function or undefined, not number'));
    subdevice.onFrameStart(undefined);
    subdevice.close();
    expect(openFds()).toBe(before);
  });
});

/** Lets the event loop go round: a readable fd watched would be reported in the second's poll phase. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('the device watcher', () => {
  it('reports readiness from the event loop while started, not after stop or close', async () => {
    const [a, b] = native().socketPair();
    let reports = 0;
    let woke: (() => void) | undefined;
    const watcher = new (native().DeviceWatcher)(b, 'readable', (error) => {
      expect(error).toBeUndefined();
      reports++;
      native().receiveDatagram(b, 16);
      woke?.();
    });
    try {
      watcher.start();
      watcher.start();
      await new Promise<void>((resolve) => {
        woke = resolve;
        native().sendDatagram(a, new Uint8Array([1]), []);
      });
      expect(reports).toBe(1);
      watcher.stop();
      native().sendDatagram(a, new Uint8Array([2]), []);
      await turns(2);
      expect(reports).toBe(1);
      watcher.close();
      watcher.start();
      await turns(2);
      expect(reports).toBe(1);
    } finally {
      watcher.close();
      native().close(a);
      native().close(b);
    }
  });
});
