// SRTP micro benchmark: µs per 1000-byte RTP packet, protect + unprotect, node:crypto (NodeSrtpTransform)
// against the native addon (NativeSrtpTransform), both ciphers, measured in the same run.
// node --import tsx bench/srtp/run.ts [--packets 50000] [--rounds 5] [--size 1000]
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  NativeSrtpTransform,
  NodeSrtpTransform,
  SRTP_MAX_OVERHEAD,
  loadNativeSrtp,
  nativeSrtpLoadError,
  type SrtpCipher,
  type SrtpKeyParams,
  type SrtpTransform,
} from '@convene/bridge/srtp';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '5' },
    size: { type: 'string', default: '1000' },
  },
});
const packets = Number(values.packets);
const rounds = Number(values.rounds);
const size = Number(values.size);

process.stdout.write(`$ node --import tsx bench/srtp/run.ts ${process.argv.slice(2).join(' ')}`.trimEnd() + '\n');
const binding = loadNativeSrtp();
if (binding === undefined) {
  process.stderr.write(`${nativeSrtpLoadError()}\n`);
  process.exit(1);
}
process.stdout.write(
  `node ${process.version}, ${binding.openssl}, ${cpus()[0]?.model ?? 'cpu?'}; ${size}-byte RTP, ` +
    `${packets} packets x ${rounds} rounds, median round\n`,
);

type Factory = (p: SrtpKeyParams) => SrtpTransform;

function keyPair(cipher: SrtpCipher): [SrtpKeyParams, SrtpKeyParams] {
  const saltLen = cipher === 'aes-gcm-128' ? 12 : 14;
  const [k1, s1, k2, s2] = [randomBytes(16), randomBytes(saltLen), randomBytes(16), randomBytes(saltLen)];
  return [
    { cipher, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 },
    { cipher, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1 },
  ];
}

/** µs per packet, protect + unprotect, over one round with a fresh sender/receiver pair. */
function round(cipher: SrtpCipher, make: Factory): number {
  const [a, b] = keyPair(cipher);
  const tx = make(a);
  const rx = make(b);
  const plain = Buffer.alloc(size);
  randomBytes(size).copy(plain);
  plain[0] = 0x80;
  plain[1] = 96;
  plain.writeUInt32BE(0x5eed5eed, 8);
  const wire = Buffer.alloc(size + SRTP_MAX_OVERHEAD);
  const back = Buffer.alloc(size + SRTP_MAX_OVERHEAD);
  let bad = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < packets; i++) {
    plain.writeUInt16BE(i & 0xffff, 2);
    const n = tx.protectRtp(plain, 0, size, wire, 0);
    if (rx.unprotectRtp(wire, 0, n, back, 0) !== size) bad++;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (bad > 0) throw new Error(`${bad} packets did not round-trip`);
  return ns / packets / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

/** Median µs per packet over the rounds, after one warm-up round. */
function measure(cipher: SrtpCipher, make: Factory): number {
  round(cipher, make);
  return median(Array.from({ length: rounds }, () => round(cipher, make)));
}

const rows: string[][] = [['cipher', 'node µs', 'native µs', 'node / native']];
for (const cipher of ['aes-cm-hmac-sha1-80', 'aes-gcm-128'] as const) {
  const node = measure(cipher, (p) => new NodeSrtpTransform(p));
  const native = measure(cipher, (p) => new NativeSrtpTransform(p, binding));
  rows.push([cipher, node.toFixed(3), native.toFixed(3), `${(node / native).toFixed(1)}x`]);
}
process.stdout.write('µs per packet, protectRtp + unprotectRtp (one each):\n');
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) process.stdout.write(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ') + '\n');
