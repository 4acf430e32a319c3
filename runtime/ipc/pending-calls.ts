/**
 * The calls waiting for their replies, by cookie, in the order they were made. Mostly there is
 * one, made and answered before the next: it is kept in a slot of its own, because a Map that
 * gains and loses an entry per call allocates a new table each time (a delete that empties it
 * shrinks it), 150 bytes a call. The calls made while the slot is taken go in the Map. The slot's
 * call, when there is one, is older than every call in the Map (a call goes in the slot only when
 * nothing else waits), so the order stays the order the calls were made.
 */
export class PendingCalls<T> {
  private slotCookie = 0;
  private slot: T | undefined = undefined;
  private readonly others = new Map<number, T>();

  get size(): number {
    return (this.slot === undefined ? 0 : 1) + this.others.size;
  }

  add(cookie: number, call: T): void {
    if (this.slot === undefined && this.others.size === 0) {
      this.slotCookie = cookie;
      this.slot = call;
    } else {
      this.others.set(cookie, call);
    }
  }

  get(cookie: number): T | undefined {
    if (this.slot !== undefined && this.slotCookie === cookie) return this.slot;
    return this.others.size === 0 ? undefined : this.others.get(cookie);
  }

  delete(cookie: number): void {
    if (this.slot !== undefined && this.slotCookie === cookie) this.slot = undefined;
    else this.others.delete(cookie);
  }

  /** Every call waiting, oldest first, as [cookie, call]. */
  entries(): [number, T][] {
    const all: [number, T][] = this.slot === undefined ? [] : [[this.slotCookie, this.slot]];
    for (const entry of this.others) all.push(entry);
    return all;
  }

  clear(): void {
    this.slot = undefined;
    this.others.clear();
  }
}
