// Per-SSRC index state: rollover counter estimate (RFC 3711 Appendix A) and a replay window (§3.3.2). The receive
// side refuses replays with it; the send side refuses to protect an index twice (libsrtp's send-side rdbx).

const WINDOW = 1024;

/** Index tracking and replay protection for one SSRC, on either side. */
export class ReplayWindow {
  #roc = 0;
  #highestSeq = -1;
  #highest = -1;
  readonly #seen = new Uint8Array(WINDOW);

  /** The packet index (ROC * 65536 + seq) a sequence number most likely belongs to. */
  estimate(seq: number): number {
    if (this.#highestSeq < 0) return seq;
    let v = this.#roc;
    if (this.#highestSeq < 32768) {
      if (seq - this.#highestSeq > 32768 && v > 0) v--;
    } else if (this.#highestSeq - 32768 > seq) v++;
    return v * 65536 + seq;
  }

  /** True when `index` is new and inside the window. */
  check(index: number): boolean {
    if (index > this.#highest) return true;
    if (this.#highest - index >= WINDOW) return false;
    return this.#seen[index % WINDOW] === 0;
  }

  /** Records an authenticated packet. */
  accept(index: number): void {
    if (index > this.#highest) {
      const from = this.#highest < 0 || index - this.#highest > WINDOW ? index - WINDOW + 1 : this.#highest + 1;
      for (let i = Math.max(from, 0); i < index; i++) this.#seen[i % WINDOW] = 0;
      this.#highest = index;
      this.#roc = Math.floor(index / 65536);
      this.#highestSeq = index % 65536;
    }
    this.#seen[index % WINDOW] = 1;
  }
}

/** Receive-side SRTCP replay state: the index is explicit, so only the window is needed. */
export class RtcpReplayWindow {
  readonly #inner = new ReplayWindow();
  check(index: number): boolean {
    return this.#inner.check(index);
  }
  accept(index: number): void {
    this.#inner.accept(index);
  }
}
