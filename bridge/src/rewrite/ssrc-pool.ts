// SSRC rewriting (`http://jitsi.org/ssrc-rewriting-1`, PROTOCOL.md §7.4): one receiver's small pool of SSRCs (video:
// with an RTX partner) onto which the sources it is forwarded are mapped. A source keeps its slot while it is
// used; a new one takes a free slot, else the least recently used slot of a source not in use now. Changes happen
// on events (allocation, an audio source's first packet after a remap), never per packet of a mapped source.

/** One pool SSRC (and its RTX partner for video, 0 for audio), and the source it carries now. */
export interface PoolSlot<T = unknown> {
  readonly index: number;
  readonly ssrc: number;
  readonly rtxSsrc: number;
  /** The source name carried now ('' before the first mapping). */
  source: string;
  owner: string;
  /** Logical clock of the last use: the smallest is reused first. */
  lastUsed: number;
  /** What writes this slot's stream (its numbering continues across remaps); the caller's. */
  carrier: T | undefined;
}

/** A source to map: its name and its owner (endpoint id). */
export interface PoolSource {
  readonly name: string;
  readonly owner: string;
}

export class SsrcPool<T = unknown> {
  readonly size: number;
  readonly #slots: PoolSlot<T>[] = [];
  readonly #bySource = new Map<string, PoolSlot<T>>();
  readonly #bySsrc = new Map<number, PoolSlot<T>>();
  readonly #newSsrc: () => number;
  readonly #withRtx: boolean;
  #clock = 0;
  /** Times a slot changed from one source to another (first mappings not counted). */
  remaps = 0;

  /** `newSsrc` gives SSRCs unique among those the receiver knows; `withRtx`: each slot has an RTX partner. */
  constructor(size: number, newSsrc: () => number, withRtx: boolean) {
    this.size = Math.max(1, Math.floor(size));
    this.#newSsrc = newSsrc;
    this.#withRtx = withRtx;
  }

  get slots(): readonly PoolSlot<T>[] {
    return this.#slots;
  }

  slotOf(source: string): PoolSlot<T> | undefined {
    return this.#bySource.get(source);
  }

  /** The slot whose SSRC or RTX SSRC is `ssrc`. */
  bySsrc(ssrc: number): PoolSlot<T> | undefined {
    return this.#bySsrc.get(ssrc >>> 0);
  }

  /** Marks `slot` as used now (a packet of its source went out). */
  touch(slot: PoolSlot<T>): void {
    slot.lastUsed = ++this.#clock;
  }

  /**
   * Maps `sources` (in priority order) onto slots: those mapped already are touched first so none of them is
   * reused for another, then the others take a free slot or the least recently used one. Sources beyond the pool
   * stay unmapped. Returns the slots whose source changed (to announce).
   */
  activate(sources: readonly PoolSource[]): PoolSlot<T>[] {
    const changed: PoolSlot<T>[] = [];
    const inUse = new Set<PoolSlot<T>>();
    for (const s of sources) {
      const slot = this.#bySource.get(s.name);
      if (slot === undefined) continue;
      this.touch(slot);
      inUse.add(slot);
    }
    for (const s of sources) {
      if (this.#bySource.has(s.name)) continue;
      const slot = this.#take(inUse);
      if (slot === undefined) break;
      this.#assign(slot, s);
      inUse.add(slot);
      changed.push(slot);
    }
    return changed;
  }

  /**
   * Maps one source (audio, on its packet): its slot, touched; else a free or the least recently used slot, which
   * is returned with `remapped` set so the caller announces it. Undefined only for a pool of size 0.
   */
  map(source: PoolSource): PoolSlot<T> | undefined {
    const slot = this.#bySource.get(source.name);
    if (slot !== undefined) {
      this.touch(slot);
      return slot;
    }
    const free = this.#take(undefined);
    if (free !== undefined) this.#assign(free, source);
    return free;
  }

  /** Forgets the sources of `owner` (it left): their slots are reused first, nothing is announced. */
  removeOwner(owner: string): void {
    for (const slot of this.#slots)
      if (slot.owner === owner && slot.source !== '') {
        this.#bySource.delete(slot.source);
        slot.source = '';
        slot.owner = '';
        slot.lastUsed = 0;
      }
  }

  /** A free slot (created while the pool is not full), else the least recently used one not in `inUse`. */
  #take(inUse: ReadonlySet<PoolSlot<T>> | undefined): PoolSlot<T> | undefined {
    let best: PoolSlot<T> | undefined;
    for (const slot of this.#slots) {
      if (inUse?.has(slot) === true) continue;
      if (slot.source === '') return slot;
      if (best === undefined || slot.lastUsed < best.lastUsed) best = slot;
    }
    if (this.#slots.length < this.size) return this.#create();
    return best;
  }

  #create(): PoolSlot<T> {
    const ssrc = this.#newSsrc() >>> 0;
    const rtxSsrc = this.#withRtx ? this.#newSsrc() >>> 0 : 0;
    const slot: PoolSlot<T> = {
      index: this.#slots.length,
      ssrc,
      rtxSsrc,
      source: '',
      owner: '',
      lastUsed: 0,
      carrier: undefined,
    };
    this.#slots.push(slot);
    this.#bySsrc.set(ssrc, slot);
    if (rtxSsrc !== 0) this.#bySsrc.set(rtxSsrc, slot);
    return slot;
  }

  #assign(slot: PoolSlot<T>, s: PoolSource): void {
    if (slot.source !== '') {
      this.#bySource.delete(slot.source);
      this.remaps++;
    }
    slot.source = s.name;
    slot.owner = s.owner;
    this.#bySource.set(s.name, slot);
    this.touch(slot);
  }
}
