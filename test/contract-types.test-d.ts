import { describe, expectTypeOf, it } from 'vitest';
import type { Flags, i32, u32, u64, IPABuffer, SharedFD } from '../dist/runtime/index.js';
import { ControlList, controlIds, controls } from '../dist/runtime/index.js';
import { IPAVimcInterface, TestFlag, IPAOperationCode } from '../dist/platforms/vimc/contract.js';
import type { IPARPiInterface, StartResult } from '../dist/platforms/raspberrypi/contract.js';

declare const ipa: IPAVimcInterface;
declare const rpi: IPARPiInterface;
declare const fd: SharedFD;

describe('contract types at call sites', () => {
  it('accept plain numeric literals and number expressions for width types', () => {
    ipa.computeParams(3, 1);
    const frame: number = 41;
    ipa.computeParams(frame + 1, frame);
    ipa.unmapBuffers([1, 2, 3]);
  });

  it('reject values of the wrong kind', () => {
    // @ts-expect-error a string is not a u32
    ipa.computeParams('3', 1);
    // @ts-expect-error a u32 is not optional
    ipa.computeParams(3);
    // @ts-expect-error 64-bit integers are bigints
    const rate: u64 = 5;
    void rate;
    const big: u64 = 5n;
    void big;
  });

  it('keep widths apart: a u32 variable is not an i32', () => {
    const unsigned: u32 = 7;
    // @ts-expect-error u32 and i32 are different wire types
    const signed: i32 = unsigned;
    void signed;
  });

  it('type results from the contract', () => {
    expectTypeOf(ipa.init).returns.resolves.toEqualTypeOf<{ ret: i32; outFlags: Flags<TestFlag> }>();
    expectTypeOf(ipa.start).returns.resolves.toEqualTypeOf<i32>();
    expectTypeOf(ipa.queueRequest).returns.toEqualTypeOf<void>();
    expectTypeOf(rpi.start).returns.resolves.toEqualTypeOf<StartResult>();
  });

  it('take enums and flag sets as declared', () => {
    void ipa.init({ configurationFile: 'vimc.conf', sensorModel: 'sensor' }, fd, IPAOperationCode.IPAOperationInit, TestFlag.Flag1 | TestFlag.Flag3);
    // @ts-expect-error a string is not a flag set
    void ipa.init({ configurationFile: '', sensorModel: '' }, fd, IPAOperationCode.IPAOperationInit, 'Flag1');
    // @ts-expect-error structs need every field
    void ipa.mapBuffers([{ id: 1 }]);
    const buffers: IPABuffer[] = [{ id: 1, planes: [] }];
    void ipa.mapBuffers(buffers);
  });
});

describe('control values are typed by their ControlId', () => {
  it('accepts the declared type and rejects others', () => {
    const list = new ControlList(controlIds);
    list.set(controls.ExposureTime, 10000);
    list.set(controls.FrameDurationLimits, [33333n, 66666n]);
    list.set(controls.ScalerCrop, { x: 0, y: 0, width: 640, height: 480 });
    // @ts-expect-error ExposureTime is a number
    list.set(controls.ExposureTime, 'long');
    // @ts-expect-error FrameDurationLimits is an array of bigints
    list.set(controls.FrameDurationLimits, [1, 2]);
    expectTypeOf(list.get(controls.AeEnable)).toEqualTypeOf<boolean | undefined>();
  });
});
