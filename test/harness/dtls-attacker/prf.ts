import { createHmac } from 'node:crypto';

/** TLS 1.2 PRF with HMAC-SHA256 (RFC 5246 §5). */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const fullSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out: Buffer[] = [];
  let total = 0;
  let a = fullSeed;
  while (total < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const chunk = createHmac('sha256', secret).update(a).update(fullSeed).digest();
    out.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(out).subarray(0, length);
}
