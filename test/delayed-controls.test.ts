/**
 * DelayedControls against what libcamera's delayed_controls.cpp does (the same cases as its
 * test/delayed_controls.cpp, and the corners its code implies), on a real simulated sub-device.
 */
import { describe, expect, it, vi } from 'vitest';
import { DelayedControls, DELAYED_CONTROLS_RING } from '../dist/camera/delayed-controls.js';
import { integerControl, SimulatedControls } from '../dist/camera/simulated/controls.js';
import { SimulatedSubdevice } from '../dist/camera/simulated/subdevice.js';
import { MbusCode, V4L2Cid } from '../dist/runtime/v4l2/index.js';

/** The V4L2 ids of a raw sensor's delayed controls. */
const EXPOSURE = 0x00980911;
const ANALOGUE_GAIN = 0x009e0903;
const VBLANK = 0x009e0901;
const { Brightness: BRIGHTNESS, Contrast: CONTRAST } = V4L2Cid;

/** A sensor sub-device whose controls hold any value the tests push (0..10000). */
function sensor(): SimulatedSubdevice {
  const controls = new SimulatedControls('simulated:/dev/v4l-subdev0', [
    integerControl(BRIGHTNESS, 'Brightness', 0, 10000, 128),
    integerControl(CONTRAST, 'Contrast', 0, 10000, 128),
    integerControl(EXPOSURE, 'Exposure', 0, 10000, 100),
    integerControl(ANALOGUE_GAIN, 'Analogue Gain', 0, 10000, 1),
    integerControl(VBLANK, 'Vertical Blanking', 0, 10000, 50),
  ]);
  const sizes = { min: { width: 16, height: 16 }, max: { width: 4096, height: 2160 } };
  return new SimulatedSubdevice('simulated:/dev/v4l-subdev0', 'sensor', { codes: [[MbusCode.SGRBG8_1X8]], sizes }, controls);
}

function onDevice(device: SimulatedSubdevice, id: number): number {
  return device.getControls([id])[0] as number;
}

describe('DelayedControls', () => {
  it('writes a control without delay at the frame it is pushed for, and reports it for that frame', () => {
    const device = sensor();
    device.setControls([[BRIGHTNESS, 1]]);
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 0 }]]);
    delayed.applyControls(0);
    for (let i = 1; i < 100; i++) {
      expect(delayed.push([[BRIGHTNESS, 100 + i]])).toBe(true);
      delayed.applyControls(i);
      expect(delayed.get(i).get(BRIGHTNESS)).toBe(100 + i);
      expect(onDevice(device, BRIGHTNESS)).toBe(100 + i);
    }
  });

  it('reports a control with a one-frame delay one frame after it is written', () => {
    const device = sensor();
    device.setControls([[BRIGHTNESS, 4]]);
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 1 }]]);
    delayed.applyControls(0);
    let expected = 4;
    for (let i = 1; i < 100; i++) {
      delayed.push([[BRIGHTNESS, 10 + i]]);
      delayed.applyControls(i);
      expect(delayed.get(i).get(BRIGHTNESS)).toBe(expected);
      expect(onDevice(device, BRIGHTNESS)).toBe(10 + i);
      expected = 10 + i;
    }
  });

  it('a 2-frame exposure delay: the value for frame N is written at frame N-2 and reported by get(N)', () => {
    const device = sensor();
    const delayed = new DelayedControls(device, [[EXPOSURE, { delay: 2 }]]);
    delayed.applyControls(0);
    // The k-th push (from 1) is for frame k + 2: written when frame k starts, read back as frame k + 2's.
    for (let k = 1; k <= 30; k++) {
      delayed.push([[EXPOSURE, 1000 + k]]);
      delayed.applyControls(k);
      expect(onDevice(device, EXPOSURE)).toBe(1000 + k);
      // The first two frames were made with what the device held at reset.
      expect(delayed.get(k).get(EXPOSURE)).toBe(k <= 2 ? 100 : 1000 + k - 2);
    }
  });

  it('writes each control late enough for its own delay: both take effect on the same frame', () => {
    const device = sensor();
    device.setControls([[BRIGHTNESS, 200], [CONTRAST, 201]]);
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 1 }], [CONTRAST, { delay: 2 }]]);
    delayed.applyControls(0);
    let expected = 200;
    for (let i = 1; i < 100; i++) {
      delayed.push([[BRIGHTNESS, 10 + i], [CONTRAST, 10 + i + 1]]);
      delayed.applyControls(i);
      expect(Object.fromEntries(delayed.get(i))).toEqual({ [BRIGHTNESS]: expected, [CONTRAST]: expected + 1 });
      // Contrast (2 frames) goes out at once, brightness (1 frame) a frame later.
      expect(onDevice(device, CONTRAST)).toBe(10 + i + 1);
      expect(onDevice(device, BRIGHTNESS)).toBe(i === 1 ? 200 : 10 + i - 1);
      expected = i < 2 ? expected : 10 + i - 1;
    }
  });

  it('takes fifteen frames of controls queued ahead and plays them out one a frame', () => {
    const device = sensor();
    device.setControls([[BRIGHTNESS, 100], [CONTRAST, 100]]);
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 1 }], [CONTRAST, { delay: 2 }]]);
    delayed.applyControls(0);
    // Sixteen slots, one of them the reset's: fifteen pushes fit ahead of the device.
    for (let i = 0; i < DELAYED_CONTROLS_RING - 1; i++) expect(delayed.push([[BRIGHTNESS, 10 + i], [CONTRAST, 10 + i]])).toBe(true);
    let expected = 100;
    for (let i = 1; i < DELAYED_CONTROLS_RING; i++) {
      delayed.applyControls(i);
      expect(Object.fromEntries(delayed.get(i))).toEqual({ [BRIGHTNESS]: expected, [CONTRAST]: expected });
      expected = i < 2 ? expected : 10 + i - 2;
    }
  });

  it('overflows as libcamera does: a sixteenth push ahead overwrites the oldest slot, unchecked', () => {
    const device = sensor();
    device.setControls([[BRIGHTNESS, 100], [CONTRAST, 100]]);
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 1 }], [CONTRAST, { delay: 2 }]]);
    delayed.applyControls(0);
    for (let i = 0; i < DELAYED_CONTROLS_RING; i++) delayed.push([[BRIGHTNESS, 10 + i], [CONTRAST, 10 + i]]);
    // The last push landed in the reset's slot: frame 1 now reads as made with it, and
    // brightness, read from that slot for frame 1, goes out with the newest value.
    const setControls = vi.spyOn(device, 'setControls');
    delayed.applyControls(1);
    expect(Object.fromEntries(delayed.get(1))).toEqual({ [BRIGHTNESS]: 25, [CONTRAST]: 25 });
    expect(setControls.mock.calls).toEqual([[[[BRIGHTNESS, 25], [CONTRAST, 10]]]]);
  });

  it('a control pushed twice before it applies: each push is a frame, and a control left out keeps its value', () => {
    const device = sensor();
    const delayed = new DelayedControls(device, [[BRIGHTNESS, { delay: 0 }], [CONTRAST, { delay: 0 }]]);
    delayed.applyControls(0);
    delayed.push([[BRIGHTNESS, 1], [CONTRAST, 7]]);
    delayed.push([[BRIGHTNESS, 2]]);
    delayed.applyControls(1);
    expect([onDevice(device, BRIGHTNESS), onDevice(device, CONTRAST)]).toEqual([1, 7]);
    delayed.applyControls(2);
    expect([onDevice(device, BRIGHTNESS), onDevice(device, CONTRAST)]).toEqual([2, 7]);
    expect(Object.fromEntries(delayed.get(2))).toEqual({ [BRIGHTNESS]: 2, [CONTRAST]: 7 });
  });

  it('writes a priority control on its own, before the rest of its frame', () => {
    const device = sensor();
    const delayed = new DelayedControls(device, [[EXPOSURE, { delay: 2 }], [ANALOGUE_GAIN, { delay: 1 }], [VBLANK, { delay: 2, priorityWrite: true }]]);
    const setControls = vi.spyOn(device, 'setControls');
    delayed.applyControls(0);
    delayed.push([[EXPOSURE, 3000], [ANALOGUE_GAIN, 4], [VBLANK, 900]]);
    delayed.applyControls(1);
    delayed.applyControls(2);
    // Frame 1: VBLANK alone, then exposure; frame 2: the gain, a frame later for its shorter delay.
    expect(setControls.mock.calls).toEqual([[[[VBLANK, 900]]], [[[EXPOSURE, 3000]]], [[[ANALOGUE_GAIN, 4]]]]);
  });

  it('starts from what the device holds at reset, and writes nothing it was not given', () => {
    const device = sensor();
    device.setControls([[EXPOSURE, 555]]);
    const delayed = new DelayedControls(device, [[EXPOSURE, { delay: 2 }]]);
    const setControls = vi.spyOn(device, 'setControls');
    for (let i = 0; i < 5; i++) delayed.applyControls(i);
    expect(setControls).not.toHaveBeenCalled();
    expect(delayed.get(4).get(EXPOSURE)).toBe(555);
    device.setControls([[EXPOSURE, 777]]);
    delayed.reset();
    delayed.applyControls(0);
    expect(delayed.get(0).get(EXPOSURE)).toBe(777);
  });

  it('repeats the last values over frames that started with nothing pushed (a dropped frame)', () => {
    const device = sensor();
    const delayed = new DelayedControls(device, [[EXPOSURE, { delay: 2 }]]);
    delayed.applyControls(0);
    delayed.push([[EXPOSURE, 200]]);
    delayed.applyControls(1);
    delayed.applyControls(5);
    delayed.push([[EXPOSURE, 300]]);
    delayed.applyControls(6);
    expect(onDevice(device, EXPOSURE)).toBe(300);
    expect([3, 4, 5, 6, 7, 8].map((n) => delayed.get(n).get(EXPOSURE))).toEqual([200, 200, 200, 200, 200, 300]);
  });

  it('refuses a control it does not handle, and leaves out one the device lacks', () => {
    const device = sensor();
    const delayed = new DelayedControls(device, [[EXPOSURE, { delay: 2 }], [0x00981234, { delay: 1 }]]);
    expect([...delayed.get(0).keys()]).toEqual([EXPOSURE]);
    expect(delayed.push([[BRIGHTNESS, 1]])).toBe(false);
    expect(delayed.push([[0x00981234, 1]])).toBe(false);
    expect(delayed.push([[EXPOSURE, 1]])).toBe(true);
  });

  it('drives SimulatedControls directly, which clamps as the kernel does', () => {
    const controls = new SimulatedControls('simulated:/dev/v4l-subdev1', [integerControl(EXPOSURE, 'Exposure', 4, 1000, 100)]);
    const delayed = new DelayedControls(controls, [[EXPOSURE, { delay: 0 }]]);
    delayed.applyControls(0);
    delayed.push([[EXPOSURE, 5000]]);
    delayed.applyControls(1);
    expect(controls.value(EXPOSURE)).toBe(1000);
    // As libcamera's, it reports what was asked for, not what the driver made of it.
    expect(delayed.get(1).get(EXPOSURE)).toBe(5000);
  });
});
