// MSB-first bit reader over a byte range; reading past the end sets `overrun` instead of throwing.

export class BitReader {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  overrun = false;

  reset(buf: Uint8Array, off: number, len: number): void {
    this.#buf = buf;
    this.#pos = off * 8;
    this.#end = (off + len) * 8;
    this.overrun = false;
  }

  /** f(n) of the AV1 spec: n bits (n ≤ 32), MSB first; 0 once past the end. */
  f(n: number): number {
    if (this.#pos + n > this.#end) {
      this.overrun = true;
      this.#pos = this.#end;
      return 0;
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const bit = (this.#buf[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1;
      v = v * 2 + bit;
      this.#pos++;
    }
    return v;
  }

  /** ns(n): a non-symmetric unsigned value below n (AV1 spec §4.10.7). */
  ns(n: number): number {
    let w = 0;
    for (let x = n; x !== 0; x >>= 1) w++;
    const m = (1 << w) - n;
    const v = this.f(w - 1);
    if (v < m) return v;
    return (v << 1) - m + this.f(1);
  }
}
