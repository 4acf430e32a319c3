/**
 * A contract whose one-way calls each take one value: a one-parameter call's payload is that
 * value's top-level encoding, so these calls give the golden tests a codec for every container
 * type libcamera's vectors cover.
 */
import {
  ControlInfoMap, ControlList, IPAInterface, ipaEvents, ipaInterface, SharedFD,
  type i32, type IPABuffer, type IPAStream, type Point, type Size, type SizeRange, type u8, type u32,
} from '../../runtime';

@ipaEvents()
export abstract class GoldenEvents {
  abstract done(): void;
}

@ipaInterface('golden')
export abstract class GoldenInterface extends IPAInterface<GoldenEvents> {
  abstract init(): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract vectorU32(value: u32[]): void;
  abstract vectorString(value: string[]): void;
  abstract mapU32String(value: Map<u32, string>): void;
  abstract vectorBool(value: boolean[]): void;
  abstract vectorVectorI32(value: i32[][]): void;
  abstract mapStringVectorU8(value: Map<string, u8[]>): void;
  abstract vectorSize(value: Size[]): void;
  abstract mapU32IPAStream(value: Map<u32, IPAStream>): void;
  abstract vectorIPABuffer(value: IPABuffer[]): void;
  abstract vectorSharedFD(value: SharedFD[]): void;
  abstract sharedFD(value: SharedFD): void;
  abstract controlList(value: ControlList): void;
  abstract controlInfoMap(value: ControlInfoMap): void;
  abstract geometry(point: Point, range: SizeRange): void;
}
