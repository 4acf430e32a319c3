import {
  DeviceError, LinkFlag, type MediaDeviceInfo, type MediaEntity, type MediaGraph, type MediaLink, type Subdevice, type VideoDevice,
} from '../../runtime/v4l2';
import type { Size } from '../configuration';
import { SimulatedControls } from './controls';
import { SimulatedMetaDevice, type MetaNodeRules } from './meta-device';
import { SimulatedSubdevice, type PadRules } from './subdevice';
import { SimulatedVideoDevice, type CaptureFormatInfo, type StreamSource, type VideoNodeRules } from './video-device';

/** A platform's driver as tables: what its media device shows, and where each entity's node is. */
export interface MediaTopology {
  entities: readonly { name: string; function: number; pads: readonly number[] }[];
  /** The data links, flagged as the driver sets them when it loads. */
  links: readonly { source: readonly [string, number]; sink: readonly [string, number]; flags: number }[];
  /** Each entity's device node under /dev, for those that have one. */
  devnodes: Readonly<Record<string, string>>;
}

/**
 * A media device simulated in user space from a platform's tables: entities, pads and links
 * (immutable ones refuse changes), and the sub-devices and capture nodes the platform adds. Its
 * paths start with `simulated:`, so that it is never taken for a device.
 */
export class SimulatedMediaGraph implements MediaGraph {
  readonly simulated = true;
  private readonly links_: { source: readonly [string, number]; sink: readonly [string, number]; flags: number }[];
  protected readonly subdevices = new Map<string, SimulatedSubdevice>();
  protected readonly videos = new Map<string, SimulatedVideoDevice>();
  protected readonly metaNodes = new Map<string, SimulatedMetaDevice>();

  constructor(readonly path: string, readonly info: MediaDeviceInfo, private readonly topology: MediaTopology) {
    this.links_ = topology.links.map((l) => ({ ...l }));
  }

  protected node(entity: string): string {
    return `simulated:/dev/${this.topology.devnodes[entity]}`;
  }

  protected addSubdevice(entity: string, rules: PadRules, controls: SimulatedControls, defaultSize?: Size): SimulatedSubdevice {
    return this.registerSubdevice(new SimulatedSubdevice(this.node(entity), entity, rules, controls, defaultSize));
  }

  /** A sub-device of the platform's own kind (a sensor with modes), under its entity's name. */
  protected registerSubdevice<T extends SimulatedSubdevice>(device: T): T {
    this.subdevices.set(device.entity, device);
    return device;
  }

  protected addMetaDevice(entity: string, rules: MetaNodeRules, controls?: SimulatedControls): SimulatedMetaDevice {
    const device = new SimulatedMetaDevice(this.node(entity), entity, rules, controls);
    this.metaNodes.set(entity, device);
    return device;
  }

  protected addVideoDevice(entity: string, formats: readonly CaptureFormatInfo[], rules: VideoNodeRules, source: StreamSource | undefined): SimulatedVideoDevice {
    const device = new SimulatedVideoDevice(this.node(entity), entity, formats, rules, source);
    this.videos.set(entity, device);
    return device;
  }

  entities(): MediaEntity[] {
    return this.topology.entities.map((e) => this.entity(e.name));
  }

  entity(name: string): MediaEntity {
    const index = this.topology.entities.findIndex((e) => e.name === name);
    if (index < 0) throw new DeviceError(`${this.path}: no entity '${name}' in ${this.info.model}`, 'ENODEV', undefined, undefined, this.path);
    const e = this.topology.entities[index]!;
    return { id: index + 1, name, function: e.function, pads: e.pads.map((flags, i) => ({ id: 100 + index * 2 + i, index: i, flags })), devnode: this.node(name) };
  }

  links(): MediaLink[] {
    return this.links_.map((l) => ({
      source: { entity: l.source[0], pad: l.source[1] },
      sink: { entity: l.sink[0], pad: l.sink[1] },
      enabled: (l.flags & LinkFlag.Enabled) !== 0,
      immutable: (l.flags & LinkFlag.Immutable) !== 0,
    }));
  }

  setLink(source: string, sourcePad: number, sink: string, sinkPad: number, enabled: boolean): void {
    const link = this.links_.find((l) => l.source[0] === source && l.source[1] === sourcePad && l.sink[0] === sink && l.sink[1] === sinkPad);
    if (!link) throw new DeviceError(`${this.path}: no link '${source}':${sourcePad} -> '${sink}':${sinkPad}`, 'ENOLINK', undefined, undefined, this.path);
    if (((link.flags & LinkFlag.Enabled) !== 0) === enabled) return;
    if (link.flags & LinkFlag.Immutable) throw new DeviceError(`${this.path}: MEDIA_IOC_SETUP_LINK: Invalid argument (immutable link)`, 'EINVAL', 22, 'MEDIA_IOC_SETUP_LINK', this.path);
    link.flags = enabled ? link.flags | LinkFlag.Enabled : link.flags & ~LinkFlag.Enabled;
  }

  disableLinks(): void {
    for (const link of this.links_) if (!(link.flags & LinkFlag.Immutable)) link.flags &= ~LinkFlag.Enabled;
  }

  /** The entity whose enabled link feeds `sink`, if one does: what a stream's source is now. */
  protected enabledSourceOf(sink: string): { entity: string; pad: number } | undefined {
    const into = this.links_.find((l) => l.sink[0] === sink && l.flags & LinkFlag.Enabled);
    return into && { entity: into.source[0], pad: into.source[1] };
  }

  openSubdevice(entityName: string): Subdevice {
    const device = this.subdevices.get(entityName);
    if (!device) throw new DeviceError(`${this.path}: entity '${entityName}' has no sub-device node`, 'ENODEV', undefined, undefined, this.path);
    return device;
  }

  openVideoDevice(entityName: string): VideoDevice {
    const device = this.videos.get(entityName) ?? this.metaNodes.get(entityName);
    if (!device) throw new DeviceError(`${this.path}: entity '${entityName}' has no video node`, 'ENODEV', undefined, undefined, this.path);
    return device;
  }

  close(): void {
    for (const video of this.videos.values()) video.close();
    for (const meta of this.metaNodes.values()) meta.close();
  }
}
