import { ControlType, ControlValue, type ControlData, type ControlScalar } from './control-value';

/** Direction bits of a control, as carried in ControlInfoMap packets. */
export const ControlDirection = { In: 1, Out: 2, InOut: 3 } as const;

/**
 * The identity of a control or property (libcamera's ControlId). `T` is the JavaScript type of
 * its value, so `list.set(controls.ExposureTime, 'x')` is a compile error.
 */
export class ControlId<T = ControlData> {
  /** Only ever read by the type checker; keeps `T` in the type. */
  declare readonly __valueType?: T;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly type: ControlType,
    readonly options: {
      vendor?: string;
      direction?: number;
      isArray?: boolean;
      /** Array dimensions as declared (`'n'` for a variable length). */
      size?: readonly (number | 'n')[];
      enumerators?: Readonly<Record<string, number>>;
    } = {},
  ) {}

  get isArray(): boolean {
    return this.options.isArray ?? false;
  }

  get direction(): number {
    return this.options.direction ?? 0;
  }

  get vendor(): string {
    return this.options.vendor ?? 'libcamera';
  }

  toString(): string {
    return this.name || `control 0x${this.id.toString(16)}`;
  }
}

/** Controls by numeric id: libcamera's ControlIdMap. */
export class ControlIdMap extends Map<number, ControlId> {
  constructor(
    readonly name: string,
    ids: Iterable<ControlId> = [],
  ) {
    super();
    for (const id of ids) this.set(id.id, id);
  }
}

/** The valid range of a control and its default (`def` is None when there is no default). */
export class ControlInfo {
  constructor(
    readonly min: ControlValue,
    readonly max: ControlValue,
    readonly def: ControlValue = ControlValue.none,
  ) {}

  equals(other: ControlInfo): boolean {
    return this.min.equals(other.min) && this.max.equals(other.max) && this.def.equals(other.def);
  }

  toString(): string {
    return `[${this.min}..${this.max}${this.def.isNone ? '' : `, def ${this.def}`}]`;
  }
}

/**
 * The controls a camera or an IPA supports, with their ranges (libcamera's ControlInfoMap).
 * Immutable: serializers cache it by identity, as libcamera does by address.
 */
export class ControlInfoMap {
  /** Tells the transformer which wire type this class is. */
  declare readonly __ipaWireType?: 'ControlInfoMap';

  private readonly infos: ReadonlyMap<ControlId, ControlInfo>;
  private readonly byNumber = new Map<number, ControlId>();

  constructor(
    entries: Iterable<readonly [ControlId, ControlInfo]>,
    readonly idMap: ControlIdMap,
  ) {
    this.infos = new Map(entries);
    for (const id of this.infos.keys()) this.byNumber.set(id.id, id);
  }

  get size(): number {
    return this.infos.size;
  }

  get(id: ControlId | number): ControlInfo | undefined {
    const key = typeof id === 'number' ? this.byNumber.get(id) : id;
    return key && this.infos.get(key);
  }

  has(id: ControlId | number): boolean {
    return this.get(id) !== undefined;
  }

  idOf(id: number): ControlId | undefined {
    return this.byNumber.get(id);
  }

  entries(): IterableIterator<[ControlId, ControlInfo]> {
    return this.infos.entries();
  }

  [Symbol.iterator](): IterableIterator<[ControlId, ControlInfo]> {
    return this.infos.entries();
  }

  /** Same ids with equal ranges and defaults. */
  equals(other: ControlInfoMap): boolean {
    if (this.size !== other.size) return false;
    for (const [id, info] of this) {
      const theirs = other.get(id.id);
      if (!theirs || !info.equals(theirs)) return false;
    }
    return true;
  }
}

/**
 * Control values by numeric id (libcamera's ControlList). A list made for an info map is
 * validated against it and serialized with a reference to it.
 */
export class ControlList {
  /** Tells the transformer which wire type this class is. */
  declare readonly __ipaWireType?: 'ControlList';

  private readonly values = new Map<number, ControlValue>();
  readonly idMap: ControlIdMap | undefined;
  readonly infoMap: ControlInfoMap | undefined;

  constructor(idMapOrInfoMap?: ControlIdMap | ControlInfoMap) {
    if (idMapOrInfoMap instanceof ControlInfoMap) {
      this.infoMap = idMapOrInfoMap;
      this.idMap = idMapOrInfoMap.idMap;
    } else {
      this.idMap = idMapOrInfoMap;
    }
  }

  get size(): number {
    return this.values.size;
  }

  /** Sets a control from its JavaScript value; the wire type comes from the ControlId. */
  set<T extends ControlData>(id: ControlId<T>, value: T): this {
    if (this.infoMap && !this.infoMap.has(id.id)) {
      throw new RangeError(`control ${id} is not in this list's ControlInfoMap`);
    }
    this.values.set(id.id, new ControlValue(id.type, value, id.isArray || id.type === ControlType.String));
    return this;
  }

  get<T extends ControlData>(id: ControlId<T>): T | undefined {
    return this.values.get(id.id)?.value as T | undefined;
  }

  /** Sets a raw typed value by numeric id (used by deserializers and for V4L2 controls). */
  setValue(id: number, value: ControlValue): this {
    this.values.set(id, value);
    return this;
  }

  getValue(id: number): ControlValue | undefined {
    return this.values.get(id);
  }

  has(id: ControlId | number): boolean {
    return this.values.has(typeof id === 'number' ? id : id.id);
  }

  delete(id: ControlId | number): boolean {
    return this.values.delete(typeof id === 'number' ? id : id.id);
  }

  clear(): void {
    this.values.clear();
  }

  entries(): IterableIterator<[number, ControlValue]> {
    return this.values.entries();
  }

  [Symbol.iterator](): IterableIterator<[number, ControlValue]> {
    return this.values.entries();
  }

  forEach(callback: (value: ControlValue, id: number) => void): void {
    this.values.forEach(callback);
  }

  /** Same ids with equal values, whatever the order. */
  equals(other: ControlList): boolean {
    if (this.size !== other.size) return false;
    for (const [id, value] of this.values) {
      const theirs = other.getValue(id);
      if (!theirs || !value.equals(theirs)) return false;
    }
    return true;
  }
}

export type { ControlScalar };
