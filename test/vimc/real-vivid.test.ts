/**
 * Metadata nodes and device events on real drivers, in the VM of `npm run test:vimc`: vivid's
 * metadata capture and output nodes (loaded beside vimc with node_types=0x60101: video capture,
 * video output, metadata capture, metadata output), and vimc's sub-devices.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openFds } from '../support';
import { native } from '../../dist/runtime/native.js';
import { DeviceError, EventType, fourcc, MediaDevice, V4L2Cid, V4L2Subdevice, V4L2VideoDevice } from '../../dist/runtime/v4l2/index.js';
import type { DequeuedBuffer } from '../../dist/runtime/v4l2/index.js';

const MEDIA = '/dev/media0';

/** vivid's video nodes by what they are (its video output node is no kind of ours). */
function vividNodes(): { capture: string; metaCapture: string; metaOutput: string; videoOutput: string } {
  const found: Record<string, string> = {};
  for (const name of fs.readdirSync('/dev').filter((n) => /^video\d+$/.test(n))) {
    const path = `/dev/${name}`;
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    try {
      const caps = native().queryCapabilities(fd);
      if (caps.driver !== 'vivid') continue;
      if (caps.deviceCaps & 0x1) found.capture = path;
      else if (caps.deviceCaps & 0x00800000) found.metaCapture = path;
      else if (caps.deviceCaps & 0x08000000) found.metaOutput = path;
      else if (caps.deviceCaps & 0x2) found.videoOutput = path;
    } finally {
      fs.closeSync(fd);
    }
  }
  const { capture, metaCapture, metaOutput, videoOutput } = found;
  if (!capture || !metaCapture || !metaOutput || !videoOutput) {
    throw new Error(`vivid's nodes are not all here (${JSON.stringify(found)}): npm run test:vimc loads vivid with node_types=0x60101`);
  }
  return { capture, metaCapture, metaOutput, videoOutput };
}

/** Streams until `count` buffers came back, requeueing each through `requeue`, then stops. */
function stream(device: V4L2VideoDevice, count: number, requeue: (buffer: DequeuedBuffer) => void): Promise<DequeuedBuffer[]> {
  const done: DequeuedBuffer[] = [];
  return new Promise((resolve) => {
    device.onBuffer((buffer) => {
      done.push(buffer);
      if (done.length === count) {
        device.streamOff();
        resolve(done);
      } else {
        requeue(buffer);
      }
    });
    device.streamOn();
  });
}

const UVC_META = fourcc('UVCH');
const VIVID_META = fourcc('VIVD');

describe('vivid metadata nodes through V4L2VideoDevice', () => {
  it('opens each node as what its capabilities say and refuses a video output node', () => {
    const nodes = vividNodes();
    const kinds = [nodes.capture, nodes.metaCapture, nodes.metaOutput].map((path) => {
      const device = V4L2VideoDevice.open(path);
      device.close();
      return device.kind;
    });
    expect(kinds).toEqual(['capture', 'meta-capture', 'meta-output']);
    const before = openFds();
    try {
      V4L2VideoDevice.open(nodes.videoOutput);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeviceError);
      expect(error).toMatchObject({ code: 'ENOTSUP', syscall: 'VIDIOC_QUERYCAP', path: nodes.videoOutput });
      expect((error as Error).message).toMatch(new RegExp(`^${nodes.videoOutput}: not a streaming capture or metadata node \\(.*, device caps 0x[0-9a-f]{8}\\)$`));
    }
    expect(openFds()).toBe(before);
  });

  it('reads and sets metadata formats, and refuses image formats on a metadata node and the reverse', () => {
    const nodes = vividNodes();
    const capture = V4L2VideoDevice.open(nodes.metaCapture);
    const output = V4L2VideoDevice.open(nodes.metaOutput);
    const image = V4L2VideoDevice.open(nodes.capture);
    try {
      // struct vivid_uvc_meta_buf (22 bytes, packed) and struct vivid_meta_out_buf (4 × 16 bits).
      expect(capture.metaFormat()).toEqual({ dataFormat: UVC_META, bufferSize: 22 });
      expect(capture.setMetaFormat(UVC_META)).toEqual({ dataFormat: UVC_META, bufferSize: 22 });
      expect(output.metaFormat()).toEqual({ dataFormat: VIVID_META, bufferSize: 8 });
      expect(output.setMetaFormat(fourcc('XXXX'))).toEqual({ dataFormat: VIVID_META, bufferSize: 8 });
      expect(output.pixelFormats().map((f) => f.pixelFormat)).toEqual([VIVID_META]);
      expect(() => capture.format()).toThrow(expect.objectContaining({ name: 'DeviceError', code: 'ENOTTY', syscall: 'VIDIOC_G_FMT', path: nodes.metaCapture }));
      expect(() => output.setFormat({ width: 64, height: 64, pixelFormat: VIVID_META })).toThrow(`${nodes.metaOutput}: a metadata node has no image format (its format is metaFormat())`);
      expect(() => image.metaFormat()).toThrow(expect.objectContaining({ name: 'DeviceError', code: 'ENOTTY', syscall: 'VIDIOC_G_FMT', path: nodes.capture }));
      expect(image.format().width).toBeGreaterThan(0);
    } finally {
      capture.close();
      output.close();
      image.close();
    }
  });

  it('streams parameters out: the bytes written reach the driver, which applies them and gives each buffer back', async () => {
    const nodes = vividNodes();
    const before = openFds();
    const output = V4L2VideoDevice.open(nodes.metaOutput);
    const image = V4L2VideoDevice.open(nodes.capture);
    try {
      const buffers = output.allocateBuffers(2);
      expect(buffers.map((b) => b.planes[0]!.length)).toEqual([8, 8]);
      expect(() => output.queueBuffer(0, 9)).toThrow(new RangeError(`${nodes.metaOutput}: bytesUsed 9 for buffer 0, which holds 8 bytes`));
      expect(() => output.queueBuffer(0, 1.5)).toThrow(RangeError);
      // vivid takes brightness, contrast, saturation and hue from each buffer, and sets its controls.
      const write = (index: number, brightness: number) => {
        const view = new DataView(buffers[index]!.memory.buffer, buffers[index]!.memory.byteOffset, 8);
        view.setUint16(0, brightness, true);
        view.setUint16(2, 100, true);
        view.setUint16(4, 50, true);
        view.setInt16(6, -10, true);
      };
      // One buffer with the driver at a time, the other written meanwhile: each comes back applied.
      write(0, 200);
      output.queueBuffer(0, 8);
      const seen: number[] = [];
      let next = 201;
      const done = await stream(output, 6, (buffer) => {
        seen.push(Number(image.getControls([V4L2Cid.Brightness])[0]));
        const other = 1 - buffer.index;
        write(other, next++);
        output.queueBuffer(other, next % 2 === 0 ? undefined : 8);
      });
      seen.push(Number(image.getControls([V4L2Cid.Brightness])[0]));
      expect(done.map((b) => b.index)).toEqual([0, 1, 0, 1, 0, 1]);
      expect(done.every((b) => b.bytesUsed === 8 && !b.error)).toBe(true);
      expect(done.map((b) => b.sequence)).toEqual([...done.map((b) => b.sequence)].sort((a, b) => a - b));
      expect(seen).toEqual([200, 201, 202, 203, 204, 205]);
      expect(image.getControls([V4L2Cid.Contrast, V4L2Cid.Saturation, V4L2Cid.Hue]).map(Number)).toEqual([100, 50, -10]);
    } finally {
      output.close();
      image.close();
    }
    expect(openFds()).toBe(before);
  });

  it('streams metadata in: each buffer holds vivid\'s UVC metadata for its frame', async () => {
    const nodes = vividNodes();
    const before = openFds();
    const capture = V4L2VideoDevice.open(nodes.metaCapture);
    try {
      const buffers = capture.allocateBuffers(3);
      for (const b of buffers) {
        expect(fs.readlinkSync(`/proc/self/fd/${b.planes[0]!.fd}`)).toMatch(/^\/dmabuf:|anon_inode:dmabuf/);
        capture.queueBuffer(b.index);
      }
      expect(() => capture.queueBuffer(1, 22)).toThrow(new RangeError(`${nodes.metaCapture}: bytesUsed 22 for buffer 1 of a capture node (the device says how much it filled)`));
      const payloads: { sequence: number; sof: number; length: number; flags: number; ns: bigint }[] = [];
      const done = await stream(capture, 5, (buffer) => {
        const memory = buffers[buffer.index]!.memory;
        const view = new DataView(memory.buffer, memory.byteOffset, memory.length);
        payloads.push({ sequence: buffer.sequence, ns: view.getBigUint64(0, true), sof: view.getUint16(8, true), length: view.getUint8(10), flags: view.getUint8(11) });
        capture.queueBuffer(buffer.index);
      });
      expect(done.every((b) => b.bytesUsed === 22 && !b.error)).toBe(true);
      for (const p of payloads) {
        expect(p.sof).toBe((p.sequence * 30) & 0xffff);
        expect(p.length).toBe(12);
        // end of header and of frame, PTS and SCR (vivid's defaults), FID on even frames
        expect(p.flags).toBe(0x80 | 0x02 | 0x04 | 0x08 | (p.sequence % 2 === 0 ? 0x01 : 0));
      }
      expect(payloads.map((p) => p.ns)).toEqual([...payloads.map((p) => p.ns)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(payloads[0]!.ns).toBeGreaterThan(0n);
    } finally {
      capture.close();
    }
    expect(openFds()).toBe(before);
  });
});

describe('sub-device events on the real vimc driver', () => {
  it('refuses frame start events on sub-devices that send none, naming the device and the ioctl, and stays usable', () => {
    const media = MediaDevice.open(MEDIA);
    try {
      for (const [entity, code] of [['Sensor B', 'EINVAL'], ['Scaler', 'ENOTTY']] as const) {
        const path = media.entity(entity).devnode!;
        const before = openFds();
        const subdevice = V4L2Subdevice.open(path);
        try {
          subdevice.onFrameStart(() => {});
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(DeviceError);
          expect(error).toMatchObject({ code, syscall: 'VIDIOC_SUBSCRIBE_EVENT', path });
          expect((error as Error).message).toMatch(new RegExp(`^${path}: sends no frame start events \\(VIDIOC_SUBSCRIBE_EVENT V4L2_EVENT_FRAME_SYNC: .+\\)$`));
        }
        subdevice.onFrameStart(undefined);
        expect(subdevice.format(0).width).toBeGreaterThan(0);
        subdevice.close();
        expect(openFds()).toBe(before);
      }
    } finally {
      media.close();
    }
  });

  it('delivers a driver\'s events through the priority watcher, and unsubscribing and closing leave nothing behind', async () => {
    const media = MediaDevice.open(MEDIA);
    const path = media.entity('Sensor B').devnode!;
    media.close();
    const before = openFds();
    // vimc sends no frame sync, but its sensor sends control events: the same POLLPRI and DQEVENT path.
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const setter = V4L2Subdevice.open(path);
    const received: NonNullable<ReturnType<ReturnType<typeof native>['dequeueEvent']>>[] = [];
    let arrived: (() => void) | undefined;
    const watcher = new (native().DeviceWatcher)(fd, 'priority', () => {
      for (let event = native().dequeueEvent(fd); event; event = native().dequeueEvent(fd)) received.push(event);
      arrived?.();
    });
    // A control's events merge while pending (the latest value stays): one change at a time.
    const change = (value: number) => new Promise<void>((resolve) => {
      arrived = resolve;
      setter.setControls([[V4L2Cid.Brightness, value]]);
    });
    try {
      native().subscribeEvent(fd, EventType.Ctrl, V4L2Cid.Brightness);
      watcher.start();
      // Changes made through another file handle are the ones a subscriber hears of.
      await change(77);
      await change(78);
      expect(received.map((e) => [e.type, e.id, e.value])).toEqual([[EventType.Ctrl, V4L2Cid.Brightness, 77n], [EventType.Ctrl, V4L2Cid.Brightness, 78n]]);
      expect(received.map((e) => e.sequence)).toEqual([received[0]!.sequence, received[0]!.sequence + 1]);
      native().unsubscribeEvent(fd, EventType.Ctrl, V4L2Cid.Brightness);
      setter.setControls([[V4L2Cid.Brightness, 128]]);
      expect(native().dequeueEvent(fd)).toBeNull();
    } finally {
      watcher.close();
      setter.close();
      fs.closeSync(fd);
    }
    expect(openFds()).toBe(before);
  });

  it('releases a subscribed, started watcher and its node when they are closed without unsubscribing', () => {
    const media = MediaDevice.open(MEDIA);
    const path = media.entity('Sensor B').devnode!;
    media.close();
    const before = openFds();
    for (let round = 0; round < 3; round++) {
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      native().subscribeEvent(fd, EventType.Ctrl, V4L2Cid.Brightness);
      const watcher = new (native().DeviceWatcher)(fd, 'priority', () => {});
      watcher.start();
      watcher.close();
      watcher.close();
      fs.closeSync(fd);
    }
    expect(openFds()).toBe(before);
  });
});
