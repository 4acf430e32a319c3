import { DeserializeError, SerializeError } from '../errors';
import type { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import { ControlId, ControlIdMap, ControlInfo, ControlInfoMap, ControlList } from './control-list';
import { ControlType, ControlValue, controlElementBytes } from './control-value';
import { dataBytes, elementCount, readValueData, writeValueData } from './value-data';
import { controlIds, propertyIds } from './ids';

/** Control packet format version (libcamera's IPA_CONTROLS_FORMAT_VERSION since v0.6). */
export const CONTROL_PACKET_VERSION = 2;
const HEADER_BYTES = 32;
const LIST_ENTRY_BYTES = 20;
const INFO_ENTRY_BYTES = 64;
const IdMapType = { Controls: 0, Properties: 1, V4L2: 2 } as const;
/**
 * What a serializer keeps of the info maps its peer sends, between resets: a peer that sends a
 * new map with every message must not grow this process for ever. A pipe's maps (sensor, lens,
 * the IPA's controls) are a few of a few KiB each.
 */
export const MAX_PEER_INFO_MAPS = 64;
export const MAX_PEER_INFO_MAP_BYTES = 1024 * 1024;

/** Which end of a pipe a serializer sits at: it decides the parity of info map handles. */
export enum ControlSerializerRole {
  Proxy = 'proxy',
  Worker = 'worker',
}


/**
 * libcamera's ControlSerializer: control packets (format v2) and the handle table that lets a
 * ControlList refer to a ControlInfoMap sent earlier. One serializer per end of a pipe serves
 * both directions. The proxy numbers the maps it sends 1, 3, 5…, the worker 2, 4, 6…; `reset()`
 * (done by both ends before `configure`) forgets every map.
 *
 * Departures from libcamera, all compatible with its receivers: a map sent twice is sent in
 * full both times (libcamera sends zeros the second time), reserved and padding bytes are zero,
 * malformed input throws `DeserializeError` instead of yielding an empty list, and an unknown id
 * in the controls or properties namespace decodes to a placeholder ControlId instead of aborting.
 *
 * What the peer sends is untrusted (the worker's side may be hostile), so decoding is stricter
 * than libcamera's where libcamera trusts: the placeholder ControlIds of unknown ids are owned by
 * the map that brought them, as libcamera's serializer owns those of its V4L2 maps, and never
 * enter the process-wide tables (`controlIds`, `propertyIds`); a value whose type is not its
 * control's declared type, an id twice in one map, an unknown id map type and a new map with a
 * handle that is not the peer's (libcamera's peers number theirs by role) are refused; and the
 * maps kept from the peer are bounded (MAX_PEER_INFO_MAPS, MAX_PEER_INFO_MAP_BYTES), past
 * which a new one is refused until the next reset.
 */
export class ControlSerializer {
  private readonly seed: number;
  private nextHandle: number;
  private readonly handles = new Map<ControlInfoMap, number>();
  private readonly maps = new Map<number, ControlInfoMap>();
  /** The peer's maps kept since the last reset, and their packets' bytes. */
  private peerMaps = 0;
  private peerMapBytes = 0;

  constructor(readonly role: ControlSerializerRole) {
    this.seed = role === ControlSerializerRole.Proxy ? 1 : 2;
    this.nextHandle = this.seed;
  }

  reset(): void {
    this.nextHandle = this.seed;
    this.handles.clear();
    this.maps.clear();
    this.peerMaps = 0;
    this.peerMapBytes = 0;
  }

  /** The handle of a map this serializer has sent or received, if any. */
  handleOf(map: ControlInfoMap): number | undefined {
    return this.handles.get(map);
  }

  emptyList(): ControlList {
    return new ControlList(controlIds);
  }

  emptyInfoMap(): ControlInfoMap {
    return new ControlInfoMap([], controlIds);
  }

  // ---- IPADataSerializer wrappers ---------------------------------------------------------

  /** `u32 size`, then the info map packet. */
  writeInfoMap(w: Writer, map: ControlInfoMap, field: string): void {
    const start = w.begin();
    this.writeInfoMapPacket(w, map, field);
    w.end(start);
  }

  /**
   * `u32 infoSize, u32 listSize`, the list's info map packet when the peer has not had it yet
   * (infoSize 0 otherwise), then the list packet.
   */
  writeList(w: Writer, list: ControlList, field: string): void {
    if (!(list instanceof ControlList)) throw new SerializeError(field, 'expected a ControlList');
    const sizes = w.skip(8);
    if (list.infoMap && !this.handles.has(list.infoMap)) {
      const start = w.pos;
      this.writeInfoMapPacket(w, list.infoMap, `${field} info map`);
      w.setU32At(sizes, w.pos - start);
    }
    const start = w.pos;
    this.writeListPacket(w, list, field);
    w.setU32At(sizes + 4, w.pos - start);
  }

  readInfoMap(r: Reader, field: string): ControlInfoMap {
    const size = r.u32(field);
    r.enterBytes(size, field);
    const map = this.readInfoMapPacket(r, field);
    r.leave(field);
    return map;
  }

  readList(r: Reader, field: string): ControlList {
    const infoSize = r.u32(`${field} info size`);
    const listSize = r.u32(`${field} list size`);
    if (infoSize > 0) {
      r.enterBytes(infoSize, `${field} info map`);
      this.readInfoMapPacket(r, `${field} info map`);
      r.leave(`${field} info map`);
    }
    r.enterBytes(listSize, field);
    const list = this.readListPacket(r, field);
    r.leave(field);
    return list;
  }

  // ---- packets ----------------------------------------------------------------------------

  writeInfoMapPacket(w: Writer, map: ControlInfoMap, field: string): void {
    if (!(map instanceof ControlInfoMap)) throw new SerializeError(field, 'expected a ControlInfoMap');
    let handle = this.handles.get(map);
    if (handle === undefined) {
      handle = this.nextHandle;
      this.nextHandle += 2;
      this.handles.set(map, handle);
      this.maps.set(handle, map);
    }
    const entries = [...map];
    const header = writeHeader(w, handle, entries.length, INFO_ENTRY_BYTES, idMapTypeOf(map.idMap));
    let at = header + HEADER_BYTES;
    let dataOffset = 0;
    for (const [id, info] of entries) {
      try {
        w.setU32At(at, id.id);
        w.setU32At(at + 4, id.type);
        w.setU32At(at + 8, id.direction & 0xff);
        dataOffset = writeValueEntry(w, at + 16, info.min, dataOffset);
        dataOffset = writeValueEntry(w, at + 32, info.max, dataOffset);
        dataOffset = writeValueEntry(w, at + 48, info.def, dataOffset);
        at += INFO_ENTRY_BYTES;
      } catch (error) {
        throw namingControl(error, field, map, id.id);
      }
    }
    for (const [id, info] of entries) {
      try {
        writeValueData(w, info.min, field);
        writeValueData(w, info.max, field);
        writeValueData(w, info.def, field);
      } catch (error) {
        throw namingControl(error, field, map, id.id);
      }
    }
    w.setU32At(header + 12, w.pos - header);
  }

  writeListPacket(w: Writer, list: ControlList, field: string): void {
    let handle = 0;
    if (list.infoMap) {
      const known = this.handles.get(list.infoMap);
      if (known === undefined) throw new SerializeError(field, 'the list\'s ControlInfoMap has not been sent to the peer');
      handle = known;
    }
    const header = writeHeader(w, handle, list.size, LIST_ENTRY_BYTES, idMapTypeOf(list.idMap));
    let at = header + HEADER_BYTES;
    let dataOffset = 0;
    list.forEach((value, id) => {
      try {
        w.setU32At(at, id);
        dataOffset = writeValueEntry(w, at + 4, value, dataOffset);
        at += LIST_ENTRY_BYTES;
      } catch (error) {
        throw namingControl(error, field, list, id);
      }
    });
    list.forEach((value, id) => {
      try {
        writeValueData(w, value, field);
      } catch (error) {
        throw namingControl(error, field, list, id);
      }
    });
    w.setU32At(header + 12, w.pos - header);
  }

  readInfoMapPacket(r: Reader, field: string): ControlInfoMap {
    const header = readHeader(r, INFO_ENTRY_BYTES, field);
    const cached = this.maps.get(header.handle);
    if (cached) {
      r.pos = r.end;
      return cached;
    }
    // A new map is numbered by its sender (libcamera's too: the proxy odd, the worker even). One
    // in this side's numbers would take the handle of a map this side is yet to send.
    if (header.handle === 0 || header.handle % 2 === this.seed % 2) {
      throw new DeserializeError(field, `a new ControlInfoMap with handle ${header.handle}, which is not one of the peer's (${this.seed % 2 ? 'even' : 'odd'} from ${this.seed === 1 ? 2 : 1})`);
    }
    // Refused before anything is decoded for it: a map kept is memory the peer decides.
    const packetBytes = r.end - (header.entriesAt - HEADER_BYTES);
    if (this.peerMaps >= MAX_PEER_INFO_MAPS || this.peerMapBytes + packetBytes > MAX_PEER_INFO_MAP_BYTES) {
      throw new DeserializeError(field, `the peer sent more ControlInfoMaps than a serializer keeps between resets (${MAX_PEER_INFO_MAPS} maps, ${MAX_PEER_INFO_MAP_BYTES / 1024} KiB); this one has ${packetBytes} bytes, ${this.peerMaps} maps of ${this.peerMapBytes} bytes are kept`);
    }
    const idMap = idMapOf(header.idMapType, field);
    // A V4L2 map's ids are its own, as libcamera's are; the shared tables are never written.
    const ownsIdMap = header.idMapType === IdMapType.V4L2;

    const infos: [ControlId, ControlInfo][] = [];
    const seen = new Set<number>();
    let offset = 0;
    for (let i = 0; i < header.entries; i++) {
      const at = header.entriesAt + i * INFO_ENTRY_BYTES;
      const idNumber = r.u32At(at, field);
      const type = r.u32At(at + 4, field);
      const direction = r.u32At(at + 8, field) & 0xff;
      let id = idMap.get(idNumber);
      try {
        if (!(type in controlElementBytes)) throw new DeserializeError(field, `unknown control type ${type}`);
        if (seen.has(idNumber)) throw new DeserializeError(field, `the id ${idNumber} appears twice`);
        seen.add(idNumber);
        if (!id) {
          id = new ControlId(idNumber, '', type, { vendor: 'local', direction });
          if (ownsIdMap) idMap.set(idNumber, id);
        } else if (id.type !== type) {
          throw new DeserializeError(field, `the packet says ${ControlType[type]}, ${id.name} is a ${ControlType[id.type]} control`);
        }
        const min = readValue(r, at + 16, offset, header, field);
        offset = r.pos - header.dataAt;
        const max = readValue(r, at + 32, offset, header, field);
        offset = r.pos - header.dataAt;
        const def = readValue(r, at + 48, offset, header, field);
        offset = r.pos - header.dataAt;
        for (const value of [min, max, def]) checkType(value, id, false, field);
        infos.push([id, new ControlInfo(min, max, def)]);
      } catch (error) {
        throw inEntry(error, `${field} entry ${i} (${id?.name || `id ${idNumber}`})`);
      }
    }
    r.expectEnd(field);
    const map = new ControlInfoMap(infos, idMap);
    this.maps.set(header.handle, map);
    this.handles.set(map, header.handle);
    this.peerMaps++;
    this.peerMapBytes += packetBytes;
    return map;
  }

  readListPacket(r: Reader, field: string): ControlList {
    const header = readHeader(r, LIST_ENTRY_BYTES, field);
    let list: ControlList;
    if (header.handle !== 0) {
      const map = this.maps.get(header.handle);
      if (!map) throw new DeserializeError(field, `unknown ControlInfoMap handle ${header.handle}`);
      list = new ControlList(map);
    } else {
      list = new ControlList(idMapOf(header.idMapType, field));
    }
    for (let i = 0; i < header.entries; i++) {
      const at = header.entriesAt + i * LIST_ENTRY_BYTES;
      const id = r.u32At(at, field);
      // The control as the receiver knows it, if it does: its type is what the value must have.
      const known = list.infoMap?.idOf(id) ?? list.idMap?.get(id);
      try {
        const value = readValue(r, at + 4, r.pos - header.dataAt, header, field);
        if (known) checkType(value, known, true, field);
        list.setValue(id, value);
      } catch (error) {
        throw inEntry(error, `${field} entry ${i} (${known?.name || `id ${id}`})`);
      }
    }
    r.expectEnd(field);
    return list;
  }
}

/** The id map a packet's id_map_type names; a V4L2 one is new (its ids are the packet's own). */
function idMapOf(idMapType: number, field: string): ControlIdMap {
  if (idMapType === IdMapType.Controls) return controlIds;
  if (idMapType === IdMapType.Properties) return propertyIds;
  if (idMapType === IdMapType.V4L2) return new ControlIdMap('v4l2');
  throw new DeserializeError(field, `unknown id map type ${idMapType}`);
}

/**
 * A value must have its control's declared type (a range bound or default may also be None), and
 * in a list its array-ness too (strings are arrays of bytes on the wire, whatever the control says).
 */
function checkType(value: ControlValue, id: ControlId, inList: boolean, field: string): void {
  if (value.type === ControlType.None && !inList) return;
  if (value.type !== id.type) {
    throw new DeserializeError(field, `a ${ControlType[value.type]} value for a ${ControlType[id.type]} control`);
  }
  if (inList && id.type !== ControlType.String && value.isArray !== id.isArray) {
    throw new DeserializeError(field, `${value.isArray ? 'an array' : 'a scalar'} value for ${id.isArray ? 'an array' : 'a scalar'} control`);
  }
}

function idMapTypeOf(idMap: ControlIdMap | undefined): number {
  if (idMap === controlIds) return IdMapType.Controls;
  if (idMap === propertyIds) return IdMapType.Properties;
  return IdMapType.V4L2;
}

// ---- entries and data -----------------------------------------------------------------------

/** Writes the header (size patched by the caller) and reserves zeroed entries; returns its offset. */
function writeHeader(w: Writer, handle: number, count: number, entryBytes: number, idMapType: number): number {
  const at = w.skip(HEADER_BYTES + count * entryBytes);
  w.setU32At(at, CONTROL_PACKET_VERSION);
  w.setU32At(at + 4, handle);
  w.setU32At(at + 8, count);
  w.setU32At(at + 16, HEADER_BYTES + count * entryBytes);
  w.setU32At(at + 20, idMapType);
  return at;
}

/** Fills a 16-byte value entry at `at`; returns the data offset after this value. */
function writeValueEntry(w: Writer, at: number, value: ControlValue, dataOffset: number): number {
  if (!(value instanceof ControlValue)) throw new SerializeError('', 'expected a ControlValue');
  const isNone = value.type === ControlType.None;
  const count = isNone ? 1 : elementCount(value, '');
  w.setU32At(at, value.type | (value.isArray && !isNone ? 1 << 8 : 0) | (count << 16));
  w.setU32At(at + 4, dataOffset);
  return dataOffset + (isNone ? 0 : dataBytes(value, count));
}

/** Puts the control's name into an encoding error raised while writing it. */
function namingControl(error: unknown, field: string, owner: ControlList | ControlInfoMap, id: number): unknown {
  if (!(error instanceof SerializeError)) return error;
  const name = owner instanceof ControlInfoMap ? owner.idOf(id) : owner.idMap?.get(id);
  return new SerializeError(`${field}.${name ?? id}`, error.reason);
}

/** Reads the value an entry at `entryAt` describes; its data must start at `expectedOffset`. */
function readValue(r: Reader, entryAt: number, expectedOffset: number, header: PacketHeader, field: string): ControlValue {
  const word = r.u32At(entryAt, field);
  const offset = r.u32At(entryAt + 4, field);
  if (offset !== expectedOffset) throw new DeserializeError(field, `value at offset ${offset}, expected ${expectedOffset}`);
  void header;
  return readValueData(r, word & 0xff, ((word >>> 8) & 0xff) !== 0, word >>> 16, field);
}

/** Names the entry in an error raised while reading it. */
function inEntry(error: unknown, entry: string): unknown {
  return error instanceof DeserializeError ? new DeserializeError(entry, error.reason) : error;
}

interface PacketHeader {
  handle: number;
  entries: number;
  idMapType: number;
  entriesAt: number;
  dataAt: number;
}

/** Reads and checks a packet header (the packet is the reader's whole frame); leaves the reader at the data. */
function readHeader(r: Reader, entryBytes: number, field: string): PacketHeader {
  const start = r.pos;
  const version = r.u32(`${field} header`);
  if (version !== CONTROL_PACKET_VERSION) {
    throw new DeserializeError(field, `control packet version ${version}, expected ${CONTROL_PACKET_VERSION}`);
  }
  const handle = r.u32(field);
  const entries = r.u32(field);
  const size = r.u32(field);
  const dataOffset = r.u32(field);
  const idMapType = r.u32(field);
  r.u32(field);
  r.u32(field);
  if (size !== r.end - start) throw new DeserializeError(field, `packet size ${size} does not match the ${r.end - start} bytes framed`);
  if (entries > (size - HEADER_BYTES) / entryBytes || dataOffset !== HEADER_BYTES + entries * entryBytes) {
    throw new DeserializeError(field, `${entries} entries with data at ${dataOffset} do not fit a ${size}-byte packet`);
  }
  r.pos = start + dataOffset;
  return { handle, entries, idMapType, entriesAt: start + HEADER_BYTES, dataAt: start + dataOffset };
}
