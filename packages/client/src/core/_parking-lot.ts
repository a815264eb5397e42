/**
 * Messages waiting for their sender's meta/visa (wire spec §4.5 step 3), bounded in total and per
 * sender. When full, the oldest entry is pushed out and handed back so the caller can give it up
 * without acknowledging it (the station then delivers it again at the next login).
 */
export class ParkingLot<T> {
  readonly #bySender = new Map<string, T[]>();
  readonly #maxTotal: number;
  readonly #maxPerSender: number;
  #size = 0;

  constructor(maxTotal: number, maxPerSender: number) {
    if (!(maxTotal >= 1 && maxPerSender >= 1)) throw new RangeError('ParkingLot: limits must be ≥ 1');
    this.#maxTotal = maxTotal;
    this.#maxPerSender = maxPerSender;
  }

  get size(): number {
    return this.#size;
  }

  /** Parks `entry`; returns the entries pushed out to make room (oldest first). */
  park(sender: string, entry: T): T[] {
    const evicted: T[] = [];
    let list = this.#bySender.get(sender);
    if (list === undefined) {
      list = [];
      this.#bySender.set(sender, list);
    }
    if (list.length >= this.#maxPerSender) {
      evicted.push(list.shift()!);
      this.#size--;
    }
    list.push(entry);
    this.#size++;
    while (this.#size > this.#maxTotal) {
      // The sender parked longest ago (Map order) loses its oldest entry; never the one just parked.
      let victim: T | undefined;
      for (const [name, entries] of this.#bySender) {
        if (entries.length === 0 || entries[0] === entry) continue;
        victim = entries.shift()!;
        if (entries.length === 0) this.#bySender.delete(name);
        break;
      }
      if (victim === undefined) break;
      evicted.push(victim);
      this.#size--;
    }
    return evicted;
  }

  /** Takes every entry of `sender` out, oldest first. */
  release(sender: string): T[] {
    const list = this.#bySender.get(sender) ?? [];
    this.#bySender.delete(sender);
    this.#size -= list.length;
    return list;
  }

  /** Takes everything out (the link is gone). */
  clear(): T[] {
    const all = [...this.#bySender.values()].flat();
    this.#bySender.clear();
    this.#size = 0;
    return all;
  }

  senders(): string[] {
    return [...this.#bySender.keys()];
  }
}
