/** fast-check arbitraries derived from a contract model: any value of any declared type. */
import fc from 'fast-check';
import { runtime } from './support';

const { SharedFD, FrameBufferPlane, ControlList, ControlInfoMap, ControlInfo, ControlValue, ControlType, controls, controlIds } = runtime;
type ContractModel = runtime.ContractModel;
type TypeRef = runtime.TypeRef;

const widths: Record<string, fc.Arbitrary<number | bigint>> = {
  u8: fc.integer({ min: 0, max: 0xff }),
  u16: fc.integer({ min: 0, max: 0xffff }),
  u32: fc.integer({ min: 0, max: 0xffffffff }),
  i8: fc.integer({ min: -0x80, max: 0x7f }),
  i16: fc.integer({ min: -0x8000, max: 0x7fff }),
  i32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  u64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  i64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  f32: fc.float(),
  f64: fc.double(),
};

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }));
const sharedFd = fc.oneof(fc.constant(SharedFD.invalid), fc.integer({ min: 0, max: 1 << 20 }).map((n) => new SharedFD(n)));

/** A control value of a control's declared type (arrays of 0–4 elements for array controls). */
function controlValue(id: InstanceType<typeof runtime.ControlId>): fc.Arbitrary<unknown> {
  const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const element: Record<number, fc.Arbitrary<unknown>> = {
    [ControlType.Bool]: fc.boolean(),
    [ControlType.Byte]: fc.integer({ min: 0, max: 0xff }),
    [ControlType.Integer32]: i32,
    [ControlType.Integer64]: widths.i64!,
    [ControlType.Float]: fc.float(),
    [ControlType.String]: text,
    [ControlType.Rectangle]: fc.record({ x: i32, y: i32, width: u32, height: u32 }),
    [ControlType.Size]: fc.record({ width: u32, height: u32 }),
    [ControlType.Point]: fc.record({ x: i32, y: i32 }),
  };
  const one = element[id.type]!;
  return id.isArray ? fc.array(one, { maxLength: 4 }) : one;
}

const allControls = Object.values(controls);

export const controlList = fc
  .subarray(allControls, { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map((id) => controlValue(id).map((v) => [id, v] as const))))
  .map((entries) => {
    const list = new ControlList(controlIds);
    for (const [id, value] of entries) list.set(id as never, value as never);
    return list;
  });

export const controlInfoMap = fc
  .subarray(allControls.filter((id) => !id.isArray && id.type !== ControlType.String), { maxLength: 5 })
  .chain((ids) => fc.tuple(...ids.map((id) => fc.tuple(controlValue(id), controlValue(id), fc.option(controlValue(id))).map(
    ([min, max, def]) => [id, new ControlInfo(
      new ControlValue(id.type, min as never),
      new ControlValue(id.type, max as never),
      def === null ? ControlValue.none : new ControlValue(id.type, def as never),
    )] as const,
  ))))
  .map((entries) => new ControlInfoMap(entries, controlIds));

export function arbitraryOf(type: TypeRef, model: ContractModel): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'number': return widths[type.width]!;
    case 'bool': return fc.boolean();
    case 'string': return text;
    case 'enum': {
      const members = model.enums.find((e) => e.name === type.name)!.members.map((m) => m.value);
      return fc.constantFrom(...members);
    }
    case 'flags': return widths.u32!;
    case 'array': return fc.array(arbitraryOf(type.element, model), { maxLength: 4 });
    case 'map':
      return fc
        .uniqueArray(fc.tuple(arbitraryOf(type.key, model), arbitraryOf(type.value, model)), { selector: ([k]) => k, maxLength: 4 })
        .map((entries) => new Map(entries));
    case 'struct': {
      const struct = model.structs.find((s) => s.name === type.name)!;
      return fc.record(Object.fromEntries(struct.fields.map((f) => [f.name, arbitraryOf(f.type, model)])));
    }
    case 'SharedFD': return sharedFd;
    case 'FrameBufferPlane':
      return fc.tuple(sharedFd, widths.u32!, widths.u32!).map(([fd, offset, length]) => new FrameBufferPlane(fd, offset as number, length as number));
    case 'ControlList': return controlList;
    case 'ControlInfoMap': return controlInfoMap;
  }
}
