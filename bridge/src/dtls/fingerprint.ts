// Signalled certificate fingerprints (RFC 8122 §5) to what the native session checks: a hash we accept and the
// digest's bytes. sha-1 is refused (RFC 8122 §5 allows it; RFC 8827 §6.5 asks for sha-256 or stronger).
import type { DtlsFingerprint } from './dtls-params.js';

const DIGEST_BYTES: Readonly<Record<string, number>> = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 };
const HEX_PAIRS = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/;

export interface ExpectedFingerprint {
  hash: 'sha-256' | 'sha-384' | 'sha-512';
  digest: Buffer;
}

/** The usable fingerprints; the rest (weak or unknown hashes, malformed values) are left out. */
export function parseFingerprints(list: readonly DtlsFingerprint[]): ExpectedFingerprint[] {
  const out: ExpectedFingerprint[] = [];
  for (const f of list) {
    const hash = f.hash.toLowerCase();
    const bytes = DIGEST_BYTES[hash];
    if (bytes === undefined || !HEX_PAIRS.test(f.value) || f.value.length !== bytes * 3 - 1) continue;
    out.push({ hash: hash as ExpectedFingerprint['hash'], digest: Buffer.from(f.value.replace(/:/g, ''), 'hex') });
  }
  return out;
}
