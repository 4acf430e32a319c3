import type { StructModel, TypeRef } from '../../runtime/model';
import { typeCarriesFds } from '../../runtime/model';
import { widthBytes } from '../../runtime/types';
import { indent } from './struct';
import { containerNames, structNames, type CodecNames } from './names';

/**
 * How one value is written, read and copied (direct mode's stand-in for writing then reading),
 * at top level (a call parameter, an array element, a map key or value) and as a struct field.
 * Containers get helper functions of their own, emitted once per module and named after their
 * type (`encodeU32Array`, `decodeMapOfU32ToIPAStream`, `copyU32Array`).
 */
export class ValueEmitter {
  /** Container helpers by name, in the order they were first needed (dependencies first). */
  readonly helpers = new Map<string, string>();

  constructor(
    private readonly structs: ReadonlyMap<string, StructModel>,
    /** Whether copies are emitted too: only a module with an interface has calls to copy. */
    readonly copies: boolean,
  ) {}

  carriesFds(type: TypeRef): boolean {
    return typeCarriesFds(type, this.structs);
  }

  /**
   * The encoded size of a type whose every value has the same size and no fds (numbers, enums,
   * structs of those), or null. Frames of such values are checked against the size up front
   * instead of being tracked while they are read.
   */
  fixedSize(type: TypeRef): number | null {
    switch (type.kind) {
      case 'number': return widthBytes[type.width];
      case 'bool': return 1;
      case 'enum':
      case 'flags': return 4;
      case 'struct': {
        let size = 0;
        for (const field of this.structs.get(type.name)!.fields) {
          const inner = this.fixedSize(field.type);
          if (inner === null) return null;
          size += isInline(field.type) ? inner : 4 + inner;
        }
        return size;
      }
      default: return null;
    }
  }

  /** Statements writing an array element, map key or map value with its size and fd count. */
  encodeElement(type: TypeRef, expr: string, f: string): string[] {
    const size = this.fixedSize(type);
    if (size !== null) return [`w.fixedElement(${size});`, this.encode(type, expr, f)];
    if (type.kind === 'FrameBufferPlane') return [`w.planeElement(${expr}, ${f});`];
    return [`const ${expr}Start = w.beginWithFds();`, this.encode(type, expr, f), `w.endWithFds(${expr}Start);`];
  }

  /** Statements declaring `const name` from an array element, map key or map value. */
  decodeElement(type: TypeRef, name: string, f: string): string[] {
    const size = this.fixedSize(type);
    if (size !== null) return [`r.fixedElement(${size}, ${f});`, `const ${name} = ${this.decode(type, f)};`];
    if (type.kind === 'FrameBufferPlane') return [`const ${name} = r.planeElement(${f});`];
    if (isSelfDelimiting(type)) {
      return this.checkedAfter(type, name, f, this.carriesFds(type) ? 'r.openElement' : 'r.openElementWithoutFds');
    }
    return [`r.enterWithFds(${f});`, `const ${name} = ${this.decode(type, f)};`, `r.leave(${f});`];
  }

  /**
   * Decodes a self-delimiting value (a struct, array or map: it knows where it ends) within the
   * enclosing frame, then checks that it ended where its prefix said, bytes and fds. Cheaper
   * than a frame of its own, and as strict.
   */
  private checkedAfter(type: TypeRef, name: string, f: string, open: string): string[] {
    const cap = name.charAt(0).toUpperCase() + name.slice(1);
    const withFds = open === 'r.openElement' || open === 'r.openFieldWithFds';
    return [
      `const endOf${cap} = ${open}(${f});`,
      ...(withFds ? [`const fdEndOf${cap} = r.openedFdEnd;`] : []),
      `const ${name} = ${this.decode(type, f)};`,
      withFds ? `r.closeWithFds(endOf${cap}, fdEndOf${cap}, ${f});` : `r.close(endOf${cap}, ${f});`,
    ];
  }

  /** Statement writing `expr` in its top-level form; `f` is a JS expression naming the field. */
  encode(type: TypeRef, expr: string, f: string): string {
    switch (type.kind) {
      case 'number': return `w.${type.width}(${expr}, ${f});`;
      case 'bool': return `w.bool(${expr}, ${f});`;
      case 'string': return `w.string(${expr}, ${f});`;
      case 'enum':
      case 'flags': return `w.u32(${expr}, ${f});`;
      case 'SharedFD': return `w.fd(${expr}, ${f});`;
      case 'FrameBufferPlane': return `w.plane(${expr}, ${f});`;
      case 'ControlList': return `w.controlList(${expr}, ${f});`;
      case 'ControlInfoMap': return `w.controlInfoMap(${expr}, ${f});`;
      case 'struct': return `${structNames(type.name).encode}(w, ${expr});`;
      case 'array':
      case 'map': return `${this.container(type).encode}(w, ${expr}, ${f});`;
    }
  }

  /** Expression reading a value in its top-level form (it spans the reader's current frame). */
  decode(type: TypeRef, f: string): string {
    switch (type.kind) {
      case 'number': return `r.${type.width}(${f})`;
      case 'bool': return `r.bool(${f})`;
      case 'string': return `r.string(${f})`;
      case 'enum':
      case 'flags': return `r.u32(${f})`;
      case 'SharedFD': return `r.fd(${f})`;
      case 'FrameBufferPlane': return `r.plane(${f})`;
      case 'ControlList': return `r.controlList(${f})`;
      case 'ControlInfoMap': return `r.controlInfoMap(${f})`;
      case 'struct': return `${structNames(type.name).decode}(r)`;
      case 'array':
      case 'map': return `${this.container(type).decode}(r, ${f})`;
    }
  }

  /** Expression copying `expr` as the wire carries it in its top-level form. */
  copy(type: TypeRef, expr: string, f: string): string {
    switch (type.kind) {
      case 'number': return `c.${type.width}(${expr}, ${f})`;
      case 'bool': return `c.bool(${expr}, ${f})`;
      case 'string': return `c.string(${expr}, ${f})`;
      case 'enum':
      case 'flags': return `c.u32(${expr}, ${f})`;
      case 'SharedFD': return `c.fd(${expr}, ${f})`;
      case 'FrameBufferPlane': return `c.plane(${expr}, ${f})`;
      case 'ControlList': return `c.controlList(${expr}, ${f})`;
      case 'ControlInfoMap': return `c.controlInfoMap(${expr}, ${f})`;
      case 'struct': return `${structNames(type.name).copy}(c, ${expr})`;
      case 'array':
      case 'map': return `${this.container(type).copy}(c, ${expr}, ${f})`;
    }
  }

  /** As a struct field, controls take their field form (an empty one is a bare zero). */
  copyField(type: TypeRef, expr: string, f: string): string {
    if (type.kind === 'ControlList') return `c.controlListField(${expr}, ${f})`;
    if (type.kind === 'ControlInfoMap') return `c.controlInfoMapField(${expr}, ${f})`;
    return this.copy(type, expr, f);
  }

  /** As an array element or map key or value, a plane is checked whole before any of it is taken. */
  copyElement(type: TypeRef, expr: string, f: string): string {
    return type.kind === 'FrameBufferPlane' ? `c.planeElement(${expr}, ${f})` : this.copy(type, expr, f);
  }

  /** Statements writing a struct field: inline for numbers, fds and enums, size-prefixed otherwise. */
  encodeField(type: TypeRef, expr: string, f: string): string[] {
    switch (type.kind) {
      case 'string': return [`w.sizedString(${expr}, ${f});`];
      case 'ControlList': return [`w.controlListField(${expr}, ${f});`];
      case 'ControlInfoMap': return [`w.controlInfoMapField(${expr}, ${f});`];
      default: {
        if (isInline(type)) return [this.encode(type, expr, f)];
        const size = this.fixedSize(type);
        if (size !== null) return [`w.fixedField(${size});`, this.encode(type, expr, f)];
        const start = `${expr.replace(/^v\./, '')}Start`;
        return this.carriesFds(type)
          ? [`const ${start} = w.beginWithFds();`, this.encode(type, expr, f), `w.endWithFds(${start});`]
          : [`const ${start} = w.begin();`, this.encode(type, expr, f), `w.end(${start});`];
      }
    }
  }

  /** Statements declaring `const name` from a struct field. */
  decodeField(type: TypeRef, name: string, f: string): string[] {
    switch (type.kind) {
      case 'string': return [`const ${name} = r.sizedString(${f});`];
      case 'ControlList': return [`const ${name} = r.controlListField(${f});`];
      case 'ControlInfoMap': return [`const ${name} = r.controlInfoMapField(${f});`];
      default: {
        if (isInline(type)) return [`const ${name} = ${this.decode(type, f)};`];
        const size = this.fixedSize(type);
        if (size !== null) return [`r.fixedField(${size}, ${f});`, `const ${name} = ${this.decode(type, f)};`];
        if (isSelfDelimiting(type)) return this.checkedAfter(type, name, f, this.carriesFds(type) ? 'r.openFieldWithFds' : 'r.openField');
        return [
          this.carriesFds(type) ? `r.enterWithFds(${f});` : `r.enter(${f});`,
          `const ${name} = ${this.decode(type, f)};`,
          `r.leave(${f});`,
        ];
      }
    }
  }

  /** Emits (once) the helpers of an array or map type and returns their names. */
  private container(type: TypeRef & { kind: 'array' | 'map' }): CodecNames {
    const names = containerNames(type);
    if (this.helpers.has(names.encode)) return names;
    this.helpers.set(names.encode, '');
    this.helpers.set(names.encode, type.kind === 'array' ? this.arrayHelpers(names, type.element) : this.mapHelpers(names, type.key, type.value));
    return names;
  }

  private arrayHelpers(names: CodecNames, element: TypeRef): string {
    return `function ${names.encode}(w, list, field) {
    w.array(list, field);
    for (const item of list) {
${indent(this.encodeElement(element, 'item', 'field'), 2)}
    }
}

function ${names.decode}(r, field) {
    const length = r.count(field, 8);
    const list = new Array(length);
    for (let i = 0; i < length; i++) {
${indent(this.decodeElement(element, 'item', 'field'), 2)}
        list[i] = item;
    }
    return list;
}${this.copies ? `

function ${names.copy}(c, list, field) {
    const length = c.array(list, field);
    const copy = new Array(length);
    for (let i = 0; i < length; i++) {
        copy[i] = ${this.copyElement(element, 'list[i]', 'field')};
    }
    return copy;
}` : ''}`;
  }

  private mapHelpers(names: CodecNames, key: TypeRef, value: TypeRef): string {
    return `function ${names.encode}(w, map, field) {
    const entries = w.sortedEntries(map, field);
    w.count(entries.length, field);
    for (const [key, value] of entries) {
${indent([...this.encodeElement(key, 'key', 'field'), ...this.encodeElement(value, 'value', 'field')], 2)}
    }
}

function ${names.decode}(r, field) {
    const length = r.count(field, 16);
    const map = new Map();
    for (let i = 0; i < length; i++) {
${indent([...this.decodeElement(key, 'key', 'field'), ...this.decodeElement(value, 'value', 'field')], 2)}
        r.mapEntry(map, key, value, field);
    }
    return map;
}${this.copies ? `

function ${names.copy}(c, map, field) {
    const copy = new Map();
    for (const [key, value] of c.sortedEntries(map, field)) {
        c.mapEntry(copy, ${this.copyElement(key, 'key', 'field')}, ${this.copyElement(value, 'value', 'field')}, field);
    }
    return copy;
}` : ''}`;
  }
}

/** Values whose decoder stops at their own end: it needs no frame to bound it. */
function isSelfDelimiting(type: TypeRef): boolean {
  return type.kind === 'struct' || type.kind === 'array' || type.kind === 'map';
}

/** Written inline in a struct (no size prefix): numbers, bool, enums, flags and SharedFD. */
function isInline(type: TypeRef): boolean {
  return type.kind === 'number' || type.kind === 'bool' || type.kind === 'enum' || type.kind === 'flags' || type.kind === 'SharedFD';
}
