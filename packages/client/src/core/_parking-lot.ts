/**
 * Messages waiting for their sender's meta/visa (wire spec §4.5 step 3), bounded in entries (in
 * total and per sender) and in bytes. When full, the oldest entries are pushed out and handed
 * back so the caller can give them up without acknowledging them (the station then delivers them
 * again at the next login).
 */
export class ParkingLot<T> {
  readonly #bySender = new Map<string, { entry: T; bytes: number }[]>();
  readonly #maxTotal: number;
  readonly #maxPerSender: number;
  readonly #maxBytes: number;
  #size = 0;
  #bytes = 0;

  constructor(maxTotal: number, maxPerSender: number, maxBytes = Infinity) {
    if (!(maxTotal >= 1 && maxPerSender >= 1 && maxBytes >= 1)) throw new RangeError('ParkingLot: limits must be ≥ 1');
    this.#maxTotal = maxTotal;
    this.#maxPerSender = maxPerSender;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Parks `entry` (weighing `bytes`); returns the entries pushed out to make room (oldest first). */
  park(sender: string, entry: T, bytes = 0): T[] {
    const evicted: T[] = [];
    let list = this.#bySender.get(sender);
    if (list === undefined) {
      list = [];
      this.#bySender.set(sender, list);
    }
    list.push({ entry, bytes });
    if (list.length > this.#maxPerSender) evicted.push(this.#take(sender, list));
    this.#size++;
    this.#bytes += bytes;
    while (this.#size > this.#maxTotal || (this.#bytes > this.#maxBytes && this.#size > 1)) {
      // The sender parked longest ago (Map order) loses its oldest entry; never the one just parked.
      let victim: T | undefined;
      for (const [name, entries] of this.#bySender) {
        if (entries.length === 0 || entries[0]!.entry === entry) continue;
        victim = this.#take(name, entries);
        break;
      }
      if (victim === undefined) break;
      evicted.push(victim);
    }
    return evicted;
  }

  #take(sender: string, list: { entry: T; bytes: number }[]): T {
    const first = list.shift()!;
    this.#size--;
    this.#bytes -= first.bytes;
    if (list.length === 0) this.#bySender.delete(sender);
    return first.entry;
  }

  /** Takes every entry of `sender` out, oldest first. */
  release(sender: string): T[] {
    const list = this.#bySender.get(sender) ?? [];
    this.#bySender.delete(sender);
    for (const item of list) {
      this.#size--;
      this.#bytes -= item.bytes;
    }
    return list.map((item) => item.entry);
  }

  /** Takes everything out (the link is gone). */
  clear(): T[] {
    const all = [...this.#bySender.values()].flat().map((item) => item.entry);
    this.#bySender.clear();
    this.#size = 0;
    this.#bytes = 0;
    return all;
  }

  senders(): string[] {
    return [...this.#bySender.keys()];
  }
}
