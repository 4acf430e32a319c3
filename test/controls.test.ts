import { describe, expect, it } from 'vitest';
import { runtime } from './support';

const {
  Writer, Reader, ControlSerializer, ControlSerializerRole, ControlList, ControlInfoMap, ControlInfo, ControlValue,
  ControlIdMap, ControlId, ControlType, controls, controlIds, properties, propertyIds,
} = runtime;
type Serializer = InstanceType<typeof ControlSerializer>;

function infoMap(max: number) {
  return new ControlInfoMap([[controls.ExposureTime, new ControlInfo(ControlValue.i32(0), ControlValue.i32(max), ControlValue.i32(Math.floor(max / 2)))]], controlIds);
}

/** Sends with one serializer and receives with another, as the two ends of a pipe do. */
function send<T>(from: Serializer, to: Serializer, write: (w: InstanceType<typeof Writer>) => void, read: (r: InstanceType<typeof Reader>) => T): T {
  const w = new Writer(from);
  write(w);
  const { data, fds } = w.take();
  const r = new Reader(data, fds, to);
  const value = read(r);
  r.expectEnd('message');
  return value;
}

describe('ControlSerializer handles', () => {
  it('number info maps 1, 3, 5… at the proxy and 2, 4, 6… at the worker', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const maps = [infoMap(100), infoMap(200), infoMap(300)];
    for (const map of maps) send(proxy, worker, (w) => w.controlInfoMap(map, 'm'), (r) => r.controlInfoMap('m'));
    expect(maps.map((m) => proxy.handleOf(m))).toEqual([1, 3, 5]);
    const back = [infoMap(1), infoMap(2)];
    for (const map of back) send(worker, proxy, (w) => w.controlInfoMap(map, 'm'), (r) => r.controlInfoMap('m'));
    expect(back.map((m) => worker.handleOf(m))).toEqual([2, 4]);
  });

  it('a list refers to its info map by handle once the peer has it, in both directions', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const map = infoMap(1000);
    const received = send(proxy, worker, (w) => w.controlInfoMap(map, 'm'), (r) => r.controlInfoMap('m'));
    expect(received.equals(map)).toBe(true);

    // The worker answers with a list on the map it received: handle only, no inline map.
    const reply = new ControlList(received).set(controls.ExposureTime, 500);
    const w = new Writer(worker);
    w.controlList(reply, 'reply');
    const bytes = w.take().data;
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(0); // infoSize
    const decoded = new Reader(bytes, [], proxy).controlList('reply');
    expect(decoded.infoMap).toBe(map);
    expect(decoded.get(controls.ExposureTime)).toBe(500);
  });

  it('sends a map that is sent again in full, with its handle, and the receiver keeps its copy', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const map = infoMap(10);
    const first = send(proxy, worker, (w) => w.controlInfoMap(map, 'm'), (r) => r.controlInfoMap('m'));
    const w = new Writer(proxy);
    w.controlInfoMap(map, 'm');
    const again = w.take().data;
    expect(again.length).toBeGreaterThan(4 + 32);
    expect(new DataView(again.buffer).getUint32(4 + 4, true)).toBe(1);
    expect(new Reader(again, [], worker).controlInfoMap('m')).toBe(first);
  });

  it('reset() forgets every map and starts numbering again, as both ends do before configure', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const worker = new ControlSerializer(ControlSerializerRole.Worker);
    const map = infoMap(10);
    send(proxy, worker, (w) => w.controlInfoMap(map, 'm'), (r) => r.controlInfoMap('m'));
    send(proxy, worker, (w) => w.controlInfoMap(infoMap(20), 'm'), (r) => r.controlInfoMap('m'));
    proxy.reset();
    worker.reset();
    expect(proxy.handleOf(map)).toBeUndefined();
    const list = new ControlList(map).set(controls.ExposureTime, 5);
    const decoded = send(proxy, worker, (w) => w.controlList(list, 'l'), (r) => r.controlList('l'));
    expect(proxy.handleOf(map)).toBe(1);
    expect(decoded.infoMap!.equals(map)).toBe(true);
  });

  it('refuses to send a list whose map the peer has not had, when asked for the packet alone', () => {
    const proxy = new ControlSerializer(ControlSerializerRole.Proxy);
    const list = new ControlList(infoMap(10)).set(controls.ExposureTime, 5);
    expect(() => proxy.writeListPacket(new Writer(proxy), list, 'l')).toThrow("cannot encode l: the list's ControlInfoMap has not been sent to the peer");
  });
});

describe('control values', () => {
  const proxy = () => new ControlSerializer(ControlSerializerRole.Proxy);
  const worker = () => new ControlSerializer(ControlSerializerRole.Worker);

  it('round-trip every type, scalar and array', () => {
    const ids = new ControlIdMap('local-test', [
      new ControlId(1, 'b', ControlType.Bool), new ControlId(2, 'y', ControlType.Byte), new ControlId(3, 'h', ControlType.Unsigned16),
      new ControlId(4, 'u', ControlType.Unsigned32), new ControlId(5, 'i', ControlType.Integer32), new ControlId(6, 'l', ControlType.Integer64),
      new ControlId(7, 'f', ControlType.Float), new ControlId(8, 's', ControlType.String), new ControlId(9, 'r', ControlType.Rectangle),
      new ControlId(10, 'z', ControlType.Size), new ControlId(11, 'p', ControlType.Point),
    ]);
    const list = new ControlList(ids)
      .setValue(1, ControlValue.array(ControlType.Bool, [true, false, true]))
      .setValue(2, ControlValue.array(ControlType.Byte, [0, 255]))
      .setValue(3, ControlValue.u16(65535))
      .setValue(4, ControlValue.u32(0xffffffff))
      .setValue(5, ControlValue.array(ControlType.Integer32, [-1, 2]))
      .setValue(6, ControlValue.i64(-(2n ** 63n)))
      .setValue(7, ControlValue.float(0.25))
      .setValue(8, ControlValue.string('héllo'))
      .setValue(9, ControlValue.array(ControlType.Rectangle, [{ x: -1, y: -2, width: 3, height: 4 }]))
      .setValue(10, ControlValue.size({ width: 640, height: 480 }))
      .setValue(11, ControlValue.point({ x: -5, y: 5 }));
    const decoded = send(proxy(), worker(), (w) => w.controlList(list, 'l'), (r) => r.controlList('l'));
    // A list on an unknown id map travels as V4L2 controls (id_map_type 2) and keeps every value.
    expect(decoded.idMap!.name).toBe('v4l2');
    expect(decoded.equals(list)).toBe(true);
  });

  it('keep the properties id map and string properties', () => {
    const list = new ControlList(propertyIds).set(properties.Model, 'imx219').set(properties.Rotation, 180);
    const decoded = send(proxy(), worker(), (w) => w.controlList(list, 'l'), (r) => r.controlList('l'));
    expect(decoded.idMap).toBe(propertyIds);
    expect(decoded.get(properties.Model)).toBe('imx219');
  });

  it('an empty list as a struct field is a bare zero size', () => {
    const w = new Writer(proxy());
    w.controlListField(new ControlList(controlIds), 'f');
    expect([...w.result().data]).toEqual([0, 0, 0, 0]);
    const r = new Reader(w.take().data, [], worker());
    expect(r.controlListField('f').size).toBe(0);
  });

  it('a list made for an info map accepts only its controls', () => {
    const list = new ControlList(infoMap(10));
    expect(() => list.set(controls.Brightness, 1)).toThrow('control Brightness is not in this list\'s ControlInfoMap');
  });

  it('more than 65535 elements do not fit a value entry', () => {
    const list = new ControlList(controlIds).setValue(controls.AfWindows.id, ControlValue.array(ControlType.Rectangle, new Array(70000).fill({ x: 0, y: 0, width: 1, height: 1 })));
    expect(() => new Writer(proxy()).controlList(list, 'l')).toThrow('cannot encode l.AfWindows: 70000 elements do not fit the u16 count of a control value');
  });
});
