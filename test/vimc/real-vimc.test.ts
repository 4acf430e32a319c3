/**
 * The vimc suite on the real vimc driver: run inside the VM by `npm run test:vimc` (the machines
 * this project is built on have no camera). Everything here talks to the kernel.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cameraSuite } from '../camera-suite';
import { vimcExpectations } from '../platforms/vimc-support';
import { openFds } from '../support';
import { SimulatedVimc } from '../../dist/platforms/vimc/simulated/graph.js';
import { findVimcDevices, matchesVimc } from '../../dist/platforms/vimc/match.js';
import { DeviceError, fourcc, MbusCode, MediaDevice, V4L2Cid, V4L2Subdevice, V4L2VideoDevice } from '../../dist/runtime/v4l2/index.js';

const MEDIA = '/dev/media0';

const modes = (process.env.VIMC_MODES ?? 'process,thread,direct').split(',') as ('process' | 'thread' | 'direct')[];
cameraSuite('the vimc pipeline on the real vimc driver', vimcExpectations(() => MediaDevice.open(MEDIA)), modes);

describe('the native addon on the real vimc driver', () => {
  it('reads the same topology as the simulated vimc has', () => {
    const media = MediaDevice.open(MEDIA);
    const simulated = new SimulatedVimc();
    try {
      expect(media.info.driver).toBe('vimc');
      expect(matchesVimc(media)).toBe(true);
      expect(findVimcDevices()).toEqual([MEDIA]);
      expect(media.entities().map((e) => [e.name, e.function, e.pads.map((p) => [p.index, p.flags])])).toEqual(
        simulated.entities().map((e) => [e.name, e.function, e.pads.map((p) => [p.index, p.flags])]),
      );
      const links = (g: { links(): { source: object; sink: object; enabled: boolean; immutable: boolean }[] }) => g.links().map((l) => JSON.stringify(l)).sort();
      media.disableLinks();
      media.setLink('Debayer A', 1, 'Scaler', 0, true);
      expect(links(media)).toEqual(links(simulated));
      expect(media.entity('RGB/YUV Capture').devnode).toMatch(/^\/dev\/video\d+$/);
      expect(media.entity('Sensor B').devnode).toMatch(/^\/dev\/v4l-subdev\d+$/);
    } finally {
      media.close();
    }
  });

  it('sets and reads back formats and controls as the simulated sub-devices do', () => {
    const media = MediaDevice.open(MEDIA);
    const real = media.openSubdevice('Debayer B');
    const sim = new SimulatedVimc().openSubdevice('Debayer B');
    try {
      for (const device of [real, sim]) {
        expect(device.setFormat(0, { code: MbusCode.RGB888_1X24, width: 5001, height: 9 })).toMatchObject({ code: MbusCode.SRGGB8_1X8, width: 4096, height: 16 });
        expect(device.format(1)).toMatchObject({ width: 4096, height: 16 });
      }
      const sensor = media.openSubdevice('Sensor B');
      expect(sensor.setControls([[V4L2Cid.Brightness, 300]])).toEqual([255]);
      expect(sensor.getControls([V4L2Cid.Brightness])).toEqual([255]);
      sensor.setControls([[V4L2Cid.Brightness, 128]]);
      expect(sensor.controls().find((c) => c.id === V4L2Cid.VimcTestPattern)?.menu?.[0]?.name).toBe('75% Colorbar');
      sensor.close();
    } finally {
      real.close();
      media.close();
    }
  });

  it('names the ioctl, errno and device in its errors', () => {
    const media = MediaDevice.open(MEDIA);
    try {
      const scaler = media.openSubdevice('Scaler');
      const path = media.entity('Scaler').devnode!;
      try {
        scaler.format(7);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DeviceError);
        expect(error).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'VIDIOC_SUBDEV_G_FMT', path });
        expect((error as Error).message).toBe(`${path}: VIDIOC_SUBDEV_G_FMT: Invalid argument`);
      }
      scaler.close();
      expect(() => V4L2Subdevice.open('/dev/v4l-subdev99')).toThrow('/dev/v4l-subdev99: cannot open (no such device)');
    } finally {
      media.close();
    }
  });

  it('refuses to stream a pipeline whose pads disagree, as the simulated one does (EPIPE)', () => {
    for (const media of [MediaDevice.open(MEDIA), new SimulatedVimc()]) {
      media.disableLinks();
      media.setLink('Debayer B', 1, 'Scaler', 0, true);
      const sensor = media.openSubdevice('Sensor B');
      sensor.setFormat(0, { code: MbusCode.SGRBG8_1X8, width: 640, height: 480 });
      const video = media.openVideoDevice('RGB/YUV Capture');
      video.setFormat({ width: 320, height: 240, pixelFormat: fourcc('RGB3') });
      const buffers = video.allocateBuffers(2);
      try {
        // vimc starts (and checks the pipeline) once two buffers are queued: at STREAMON here.
        for (const b of buffers) video.queueBuffer(b.index);
        expect(() => video.streamOn()).toThrow(expect.objectContaining({ code: 'EPIPE', syscall: 'VIDIOC_STREAMON' }));
      } finally {
        video.close();
        sensor.close();
        media.close();
      }
    }
  });

  it('exports buffers as dmabufs that map to the frame and leaves no fds behind', async () => {
    const before = openFds();
    const media = MediaDevice.open(MEDIA);
    const video = media.openVideoDevice('RGB/YUV Capture') as V4L2VideoDevice;
    try {
      const buffers = video.allocateBuffers(3);
      expect(buffers).toHaveLength(3);
      for (const b of buffers) {
        expect(fs.readlinkSync(`/proc/self/fd/${b.planes[0]!.fd}`)).toMatch(/^\/dmabuf:|anon_inode:dmabuf/);
        expect(b.memory.length).toBe(video.format().planes[0]!.size);
      }
      video.releaseBuffers();
    } finally {
      video.close();
      media.close();
    }
    expect(openFds()).toBe(before);
  });
});

describe('ts-ipa capture on the real vimc driver', () => {
  it('picks the real camera, captures with the IPA isolated and writes the frames', async () => {
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const os = await import('node:os');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-'));
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'capture', '--frames', '8', '--size', '320x240', '--out', out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Camera: VIMC MDEV at /dev/media0 (vimc)');
    expect(result.stdout).not.toContain('SIMULATED');
    expect(result.stdout).toMatch(/frames\s+8\n/);
    expect(fs.readdirSync(out)).toHaveLength(8);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('says in one line that the camera is busy when another program holds its buffers (exit 4)', async () => {
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const os = await import('node:os');
    const media = MediaDevice.open(MEDIA);
    const video = media.openVideoDevice('RGB/YUV Capture');
    try {
      video.allocateBuffers(2);
      // A fresh --out: ./frames may hold an earlier capture's frames, which capture refuses before opening the camera.
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-busy-'));
      const result = spawnSync(process.execPath, ['dist/cli/main.js', 'capture', '--frames', '2', '--out', out], { encoding: 'utf8' });
      fs.rmSync(out, { recursive: true, force: true });
      expect(result.status).toBe(4);
      expect(result.stderr).toMatch(/^ts-ipa capture: \/dev\/video\d+: VIDIOC_S_FMT: Device or resource busy: another program is using the camera\n$/);
    } finally {
      video.close();
      media.close();
    }
  });
});
