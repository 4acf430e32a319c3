/**
 * A contract of every kind of value the wire carries, for the test that an IPA computes the same
 * in direct, thread and process modes (test/direct-parity.test.ts).
 */
import {
  ControlInfoMap, ControlList, FrameBufferPlane, IPAInterface, ipaEvents, ipaInterface, struct,
  type f32, type f64, type Flags, type i8, type i16, type i32, type i64, type SharedFD, type u8, type u16, type u32, type u64,
} from '../../runtime';

export enum Shade {
  Dark = 0,
  Light = 7,
}

@struct()
export class Inner {
  level!: i16;
  gain!: f32;
  label!: string;
}

@struct()
export class Outer {
  name!: string;
  inner!: Inner;
  history!: Inner[];
  byId!: Map<u32, Inner>;
  /** f32 keys: two that differ may be one once rounded. */
  weights!: Map<f32, string>;
  shade!: Shade;
  shades!: Flags<Shade>;
  on!: boolean;
  big!: u64;
  fd!: SharedFD;
  plane!: FrameBufferPlane;
  controls!: ControlList;
  limits!: ControlInfoMap;
}

@ipaEvents()
export abstract class ParityEvents {
  abstract echoed(value: i16, ratio: f32, text: string): void;
  abstract outer(value: Outer): void;
  /** What the IPA caught when it tried to send an event. */
  abstract refused(error: string): void;
}

@ipaInterface('parity')
export abstract class ParityInterface extends IPAInterface<ParityEvents> {
  abstract init(): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  /** What the IPA saw, described. */
  abstract numbers(a: u8, b: i8, c: u16, d: i16, e: u32, f: i32, g: f32, h: f64, i: u64, j: i64): Promise<string>;
  abstract table(byName: Map<string, f32[]>, flags: boolean[], list: ControlList): Promise<string>;
  abstract buffers(planes: FrameBufferPlane[], plane: FrameBufferPlane, fds: SharedFD[], limits: ControlInfoMap, byShade: Map<Shade, boolean>): Promise<string>;
  /** Described, then changed by the IPA: the caller's value must not change with it. */
  abstract outer(value: Outer): Promise<string>;
  /** Results the IPA computes from `value` as it is, for the reply's checks and conversions. */
  abstract reply(value: f64, text: string): Promise<{ ret: i32; half: i16; ratio: f32; text: string }>;
  /** The IPA sends echoed(value, ratio, text), or refused() with what sending it threw. */
  abstract echo(value: f64, ratio: f64, text: string): void;
  /** The IPA sends the value back in an event, then changes it. */
  abstract echoOuter(value: Outer): void;
}
