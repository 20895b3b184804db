// Per-packet cost of SVC layer selection against VP8 simulcast switching, same run: one parse per packet, then ten
// receivers' rewriters (targets spread over the layers), on prebuilt packets copied into a work buffer each time.
// Prints ns per packet and per receiver decision, and heap growth per packet (none expected: no allocation).
// node --expose-gc --import tsx bench/rewrite/svc.ts [--packets 300000]
import {
  newPacketMeta,
  readPacketMeta,
  StreamRewriter,
  SvcSource,
  type VideoCodec,
} from '../../bridge/src/rewrite/index.js';
import { DD_ID, L2T2_KEY, av1, dd, vp9 } from '../../test/unit/bridge/rewrite/svc-packets.js';

const RECEIVERS = 10;
const arg = process.argv.indexOf('--packets');
const PACKETS = arg > 0 ? Number(process.argv[arg + 1]) : 300_000;

/** One GOP: a keyframe picture, then delta pictures; each layer frame one packet. Encoding index per packet. */
function vp9Gop(pictures: number): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  for (let k = 0; k < pictures; k++) {
    const key = k === 0;
    const tid = key ? 0 : [0, 2, 1, 2][k % 4]!;
    for (let sid = 0; sid < 3; sid++)
      out.push([
        vp9(0, k * 3000, {
          sid,
          tid,
          p: !key,
          d: key && sid > 0,
          z: !key && sid < 2,
          u: tid > 0,
          pic: k,
          tl0: k,
          ss: key && sid === 0 ? [180, 360, 720] : undefined,
          marker: sid === 2,
        }),
        0,
      ]);
  }
  return out;
}

function av1Gop(pictures: number): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  for (let k = 0; k < pictures; k++) {
    const key = k === 0;
    const templates = key ? [0, 3] : k % 2 === 1 ? [2, 5] : [1, 4];
    templates.forEach((template, sid) => {
      const desc = dd(
        { start: true, end: true, template, frame: 2 * k + sid },
        key && sid === 0 ? L2T2_KEY : undefined,
      );
      out.push([av1(0, k * 3000, desc, sid === 1), 0]);
    });
  }
  return out;
}

function vp8Gop(pictures: number): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  for (let k = 0; k < pictures; k++)
    for (let enc = 0; enc < 3; enc++) {
      const b = Buffer.alloc(12 + 6 + 4);
      b[0] = 0x80;
      b[1] = 100;
      b.writeUInt32BE(k * 3000, 4);
      b.writeUInt32BE(5555 + enc, 8);
      b[12] = 0x90;
      b[13] = 0xe0;
      b.writeUInt16BE(0x8000 | k, 14);
      b[16] = k & 0xff;
      b[17] = ([0, 2, 1, 2][k % 4]! << 6) | 0x20;
      b[18] = k === 0 ? 0x00 : 0x01;
      out.push([b, enc]);
    }
  return out;
}

function measure(name: string, codec: VideoCodec, gop: Array<[Buffer, number]>, svc: boolean): void {
  const meta = newPacketMeta();
  const source = svc ? new SvcSource() : undefined;
  const rws = Array.from({ length: RECEIVERS }, (_, i) => {
    const rw = new StreamRewriter(1000 + i);
    rw.setTarget(i % 3);
    return rw;
  });
  const work = Buffer.alloc(1500);
  const seqs = new Uint16Array(3);
  let forwarded = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const [b, enc] = gop[i % gop.length]!;
      b.copy(work, 0);
      work.writeUInt16BE(seqs[enc]!++ & 0xffff, 2);
      if (!readPacketMeta(work, 0, b.length, codec, enc, meta, source, DD_ID)) throw new Error('bad packet');
      for (let r = 0; r < RECEIVERS; r++) if (rws[r]!.rewrite(work, 0, meta, 0)) forwarded++;
    }
  };
  run(50_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  run(PACKETS);
  const ns = Number(process.hrtime.bigint() - t0);
  const heap1 = process.memoryUsage().heapUsed;
  process.stdout.write(
    `${name.padEnd(28)} ${(ns / PACKETS).toFixed(0).padStart(6)} ns/packet  ${(ns / PACKETS / RECEIVERS).toFixed(1).padStart(6)} ns/decision  ` +
      `forwarded ${((100 * forwarded) / ((PACKETS + 50_000) * RECEIVERS)).toFixed(0)}%  heap ${gc === undefined ? 'n/a (no --expose-gc)' : `${((heap1 - heap0) / PACKETS).toFixed(2)} B/packet`}\n`,
  );
}

process.stdout.write(
  `node --expose-gc --import tsx bench/rewrite/svc.ts --packets ${PACKETS} (${RECEIVERS} receivers)\n`,
);
for (let round = 0; round < 2; round++) {
  measure('VP8 simulcast (3 encodings)', 'vp8', vp8Gop(120), false);
  measure('VP9 SVC L3T3_KEY', 'vp9', vp9Gop(120), true);
  measure('AV1 SVC L2T2_KEY (DD)', 'av1', av1Gop(120), true);
}
