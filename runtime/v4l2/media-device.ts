import fs from 'node:fs';
import { native } from '../native';
import { LinkFlag } from './constants';
import { DeviceError, onDevice, openDeviceNode } from './device-node';
import { V4L2Subdevice } from './subdevice';
import type { MediaDeviceInfo, MediaEntity, MediaGraph, MediaLink } from './types';
import { V4L2VideoDevice } from './video-device';

type Topology = ReturnType<ReturnType<typeof native>['mediaTopology']>;

/** The device node of a character device number, from sysfs (no udev needed), else by scanning /dev. */
function devnodeOf(major: number, minor: number): string | undefined {
  try {
    const uevent = fs.readFileSync(`/sys/dev/char/${major}:${minor}/uevent`, 'utf8');
    const name = /^DEVNAME=(.+)$/m.exec(uevent)?.[1];
    if (name) return `/dev/${name}`;
  } catch { /* no sysfs entry: scan */ }
  for (const entry of fs.readdirSync('/dev')) {
    const path = `/dev/${entry}`;
    try {
      const stat = fs.statSync(path);
      if (stat.isCharacterDevice() && Math.floor(stat.rdev / 256) === major && stat.rdev % 256 === minor) return path;
    } catch { /* vanished */ }
  }
  return undefined;
}

/** A media controller device (/dev/mediaN): its entities, pads and links, and the devices behind them. */
export class MediaDevice implements MediaGraph {
  readonly simulated = false;
  readonly info: MediaDeviceInfo;
  private topology: Topology;
  private readonly devnodes = new Map<number, string | undefined>();
  private closed = false;

  private constructor(readonly path: string, private readonly fd: number) {
    this.info = onDevice(path, () => native().mediaDeviceInfo(fd));
    this.topology = onDevice(path, () => native().mediaTopology(fd));
  }

  static open(path: string): MediaDevice {
    const fd = openDeviceNode(path);
    try {
      return new MediaDevice(path, fd);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** The media devices present (/dev/media*), in number order. */
  static paths(): string[] {
    let entries: string[];
    try {
      entries = fs.readdirSync('/dev');
    } catch {
      return [];
    }
    return entries.filter((e) => /^media\d+$/.test(e)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5))).map((e) => `/dev/${e}`);
  }

  entities(): MediaEntity[] {
    return this.topology.entities.map((e) => this.describe(e.id));
  }

  entity(name: string): MediaEntity {
    const found = this.topology.entities.find((e) => e.name === name);
    if (!found) throw new DeviceError(`${this.path}: no entity '${name}' in ${this.info.model}`, 'ENODEV', undefined, undefined, this.path);
    return this.describe(found.id);
  }

  private describe(id: number): MediaEntity {
    const e = this.topology.entities.find((x) => x.id === id)!;
    const pads = this.topology.pads.filter((p) => p.entityId === id).map((p) => ({ id: p.id, index: p.index, flags: p.flags }));
    if (!this.devnodes.has(id)) {
      const link = this.topology.links.find((l) => (l.flags & LinkFlag.TypeMask) === LinkFlag.InterfaceLink && l.sinkId === id);
      const intf = link && this.topology.interfaces.find((i) => i.id === link.sourceId);
      this.devnodes.set(id, intf && devnodeOf(intf.major, intf.minor));
    }
    return { id, name: e.name, function: e.function, pads, devnode: this.devnodes.get(id) };
  }

  links(): MediaLink[] {
    const padById = new Map(this.topology.pads.map((p) => [p.id, p]));
    const nameOf = (entityId: number) => this.topology.entities.find((e) => e.id === entityId)!.name;
    return this.topology.links
      .filter((l) => (l.flags & LinkFlag.TypeMask) === LinkFlag.DataLink)
      .map((l) => {
        const source = padById.get(l.sourceId)!;
        const sink = padById.get(l.sinkId)!;
        return {
          source: { entity: nameOf(source.entityId), pad: source.index },
          sink: { entity: nameOf(sink.entityId), pad: sink.index },
          enabled: (l.flags & LinkFlag.Enabled) !== 0,
          immutable: (l.flags & LinkFlag.Immutable) !== 0,
        };
      });
  }

  setLink(source: string, sourcePad: number, sink: string, sinkPad: number, enabled: boolean): void {
    const link = this.links().find((l) => l.source.entity === source && l.source.pad === sourcePad && l.sink.entity === sink && l.sink.pad === sinkPad);
    if (!link) throw new DeviceError(`${this.path}: no link '${source}':${sourcePad} -> '${sink}':${sinkPad}`, 'ENOLINK', undefined, undefined, this.path);
    if (link.enabled === enabled) return;
    const sourceId = this.entity(source).id;
    const sinkId = this.entity(sink).id;
    onDevice(this.path, () => native().mediaSetupLink(this.fd, sourceId, sourcePad, sinkId, sinkPad, enabled ? LinkFlag.Enabled : 0));
    this.topology = onDevice(this.path, () => native().mediaTopology(this.fd));
  }

  disableLinks(): void {
    for (const link of this.links()) {
      if (link.enabled && !link.immutable) this.setLink(link.source.entity, link.source.pad, link.sink.entity, link.sink.pad, false);
    }
  }

  openSubdevice(entityName: string): V4L2Subdevice {
    return V4L2Subdevice.open(this.nodeOf(entityName));
  }

  openVideoDevice(entityName: string): V4L2VideoDevice {
    return V4L2VideoDevice.open(this.nodeOf(entityName));
  }

  private nodeOf(entityName: string): string {
    const entity = this.entity(entityName);
    if (!entity.devnode) throw new DeviceError(`${this.path}: entity '${entityName}' has no device node`, 'ENODEV', undefined, undefined, this.path);
    return entity.devnode;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
