/** MSB-first bit writer for building test descriptors. */
export class BitWriter {
  readonly #bits: number[] = [];
  f(n: number, v: number): this {
    for (let i = n - 1; i >= 0; i--) this.#bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }
  bytes(): Buffer {
    const out = Buffer.alloc(Math.ceil(this.#bits.length / 8));
    this.#bits.forEach((b, i) => {
      if (b === 1) out[i >> 3]! |= 0x80 >> (i & 7);
    });
    return out;
  }
}
