// The native addon against NodeSrtpTransform: same bytes, same codes. The addon must be built (npm ci does it):
// when it is not, these tests fail on purpose, while the bridge itself falls back to node:crypto.
import { randomBytes } from 'node:crypto';
import {
  NativeSrtpTransform,
  NodeSrtpTransform,
  SRTP_ERR_AUTH,
  SRTP_ERR_MALFORMED,
  SRTP_ERR_REPLAY,
  SRTP_MAX_OVERHEAD,
  chooseSrtp,
  loadNativeSrtp,
  nativeSrtpLoadError,
  type SrtpCipher,
  type SrtpKeyParams,
  type SrtpTransform,
} from '@convene/bridge/srtp';

const CIPHERS: SrtpCipher[] = ['aes-cm-hmac-sha1-80', 'aes-gcm-128'];

/** Sender and receiver key params: a's local keys are b's remote keys. */
function params(cipher: SrtpCipher): [SrtpKeyParams, SrtpKeyParams] {
  const saltLen = cipher === 'aes-gcm-128' ? 12 : 14;
  const [k1, s1, k2, s2] = [randomBytes(16), randomBytes(saltLen), randomBytes(16), randomBytes(saltLen)];
  return [
    { cipher, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 },
    { cipher, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1 },
  ];
}

interface RtpShape {
  seq: number;
  ssrc: number;
  csrcs?: number;
  extWords?: number;
  payload: Buffer;
}

function rtp({ seq, ssrc, csrcs = 0, extWords, payload }: RtpShape): Buffer {
  const ext = extWords === undefined ? 0 : 4 + 4 * extWords;
  const b = Buffer.alloc(12 + 4 * csrcs + ext + payload.length);
  b[0] = 0x80 | (extWords === undefined ? 0 : 0x10) | csrcs;
  b[1] = 96;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 960) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  for (let i = 0; i < csrcs; i++) b.writeUInt32BE(0x1000 + i, 12 + 4 * i);
  if (extWords !== undefined) {
    const at = 12 + 4 * csrcs;
    b.writeUInt16BE(0xbede, at);
    b.writeUInt16BE(extWords, at + 2);
    randomBytes(4 * extWords).copy(b, at + 4);
  }
  payload.copy(b, 12 + 4 * csrcs + ext);
  return b;
}

function rtcp(ssrc: number, bodyLen: number): Buffer {
  const b = Buffer.alloc(8 + bodyLen);
  b.writeUInt32BE((0x81c80000 | (bodyLen / 4 + 1)) >>> 0, 0);
  b.writeUInt32BE(ssrc >>> 0, 4);
  randomBytes(bodyLen).copy(b, 8);
  return b;
}

/** The addon's errors come from the realm that loaded it, not jest's: compare by name. */
function throwsA(name: 'TypeError' | 'RangeError', fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect((thrown as Error | undefined)?.name).toBe(name);
}

/** The protected bytes of one packet. */
function protect(tx: SrtpTransform, op: 'protectRtp' | 'protectRtcp', pkt: Buffer): Buffer {
  const out = Buffer.alloc(pkt.length + SRTP_MAX_OVERHEAD);
  const n = tx[op](pkt, 0, pkt.length, out, 0);
  expect(n).toBeGreaterThan(0);
  return out.subarray(0, n);
}

type Op = 'protectRtp' | 'unprotectRtp' | 'protectRtcp' | 'unprotectRtcp';

/** Runs op on both and expects the same return value and the same dst bytes; returns node's output. */
function same(node: SrtpTransform, native: SrtpTransform, op: Op, pkt: Buffer, len = pkt.length): Buffer | number {
  const a = Buffer.alloc(pkt.length + SRTP_MAX_OVERHEAD, 0xa5);
  const b = Buffer.alloc(pkt.length + SRTP_MAX_OVERHEAD, 0xa5);
  const na = node[op](pkt, 0, len, a, 0);
  const nb = native[op](pkt, 0, len, b, 0);
  expect(nb).toBe(na);
  expect(b.toString('hex')).toBe(a.toString('hex'));
  return na < 0 ? na : a.subarray(0, na);
}

describe('NativeSrtpTransform', () => {
  it('loads the addon (npm ci builds it: node bridge/native/build.js)', () => {
    expect(nativeSrtpLoadError()).toBeUndefined();
    expect(loadNativeSrtp()?.openssl).toMatch(/^OpenSSL 3\./);
    expect(chooseSrtp('auto').name).toBe('native');
    expect(chooseSrtp('native').name).toBe('native');
    expect(chooseSrtp('node').name).toBe('node');
  });

  describe.each(CIPHERS)('%s', (cipher) => {
    it('protects to the same bytes as node:crypto, RTP of every header shape and RTCP', () => {
      const [p] = params(cipher);
      const node = new NodeSrtpTransform(p);
      const native = new NativeSrtpTransform(p);
      const shapes: Omit<RtpShape, 'seq' | 'payload'>[] = [
        { ssrc: 0x11223344 },
        { ssrc: 0x11223344, csrcs: 2 },
        { ssrc: 0xfeedface, extWords: 0 },
        { ssrc: 0xfeedface, extWords: 3, csrcs: 15 },
      ];
      for (let seq = 65500; seq < 65600; seq++) {
        for (const s of shapes) same(node, native, 'protectRtp', rtp({ ...s, seq, payload: randomBytes(seq % 300) }));
      }
      for (let i = 0; i < 20; i++) same(node, native, 'protectRtcp', rtcp(i % 3 === 0 ? 0x11223344 : 99, 4 * i));
    });

    it('never protects two packets under one index when seq goes 100, 40000, 7000, 39000, 40000', () => {
      const [a, b] = params(cipher);
      for (const make of [
        (k: SrtpKeyParams) => new NodeSrtpTransform(k),
        (k: SrtpKeyParams) => new NativeSrtpTransform(k),
      ]) {
        // The receiver accepts all five (its ROC goes 0, 0, 1, 1, 1): the sender must use the same indices, so the
        // second 40000 is (ROC 1, 40000), not the (ROC 0, 40000) of the first one.
        const tx = make(a);
        const rx = make(b);
        for (const seq of [100, 40000, 7000, 39000, 40000]) {
          const plain = rtp({ seq, ssrc: 7, payload: randomBytes(50) });
          const wire = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
          const n = tx.protectRtp(plain, 0, plain.length, wire, 0);
          expect(n).toBeGreaterThan(0);
          const back = Buffer.alloc(n);
          expect(rx.unprotectRtp(wire, 0, n, back, 0)).toBe(plain.length);
          expect(back.subarray(0, plain.length)).toEqual(plain);
        }
        // A repeat of the last index is refused, as libsrtp does without allow_repeat_tx.
        const again = rtp({ seq: 40000, ssrc: 7, payload: randomBytes(50) });
        expect(tx.protectRtp(again, 0, again.length, Buffer.alloc(100), 0)).toBe(SRTP_ERR_REPLAY);
      }
    });

    it('interoperates both ways across a sequence number wrap (ROC 0 -> 2)', () => {
      const [a, b] = params(cipher);
      const pairs: [SrtpTransform, SrtpTransform][] = [
        [new NativeSrtpTransform(a), new NodeSrtpTransform(b)],
        [new NodeSrtpTransform(a), new NativeSrtpTransform(b)],
      ];
      for (const [tx, rx] of pairs) {
        // Forward steps below 2^15 (the sender's ROC rule): 65535 -> 0 twice.
        const seqs = [65000, 65535, 0, 1, 20000, 40000, 60000, ...Array.from({ length: 12 }, (_, i) => 65530 + i)];
        for (const seq of seqs) {
          const plain = rtp({
            seq,
            ssrc: 5,
            csrcs: seq % 3,
            extWords: seq % 2 ? 1 : undefined,
            payload: randomBytes(1000),
          });
          const wire = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
          const n = tx.protectRtp(plain, 0, plain.length, wire, 0);
          const back = Buffer.alloc(n);
          expect(rx.unprotectRtp(wire, 0, n, back, 0)).toBe(plain.length);
          expect(back.subarray(0, plain.length)).toEqual(plain);
        }
        const report = rtcp(5, 24);
        const wire = Buffer.alloc(report.length + SRTP_MAX_OVERHEAD);
        const n = tx.protectRtcp(report, 0, report.length, wire, 0);
        const back = Buffer.alloc(n);
        expect(rx.unprotectRtcp(wire, 0, n, back, 0)).toBe(report.length);
        expect(back.subarray(0, report.length)).toEqual(report);
        expect(rx.unprotectRtcp(wire, 0, n, back, 0)).toBe(SRTP_ERR_REPLAY);
      }
    });

    it('gives the same codes for tampered, replayed, malformed and too-many-stream packets', () => {
      const [a, b] = params(cipher);
      const tx = new NodeSrtpTransform(a);
      const node = new NodeSrtpTransform(b);
      const native = new NativeSrtpTransform(b);
      const wire = protect(tx, 'protectRtp', rtp({ seq: 7, ssrc: 1, payload: randomBytes(50) }));
      const tampered = Buffer.from(wire);
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
      expect(same(node, native, 'unprotectRtp', tampered)).toBe(SRTP_ERR_AUTH);
      expect(same(node, native, 'unprotectRtp', wire)).toBeInstanceOf(Buffer);
      expect(same(node, native, 'unprotectRtp', wire)).toBe(SRTP_ERR_REPLAY);
      const report = protect(tx, 'protectRtcp', rtcp(1, 8));
      const badReport = Buffer.from(report);
      badReport[9] = badReport[9]! ^ 0x40;
      expect(same(node, native, 'unprotectRtcp', badReport)).toBe(SRTP_ERR_AUTH);
      expect(same(node, native, 'unprotectRtcp', report)).toBeInstanceOf(Buffer);
      expect(same(node, native, 'unprotectRtcp', report)).toBe(SRTP_ERR_REPLAY);
      const v1 = Buffer.from(wire);
      v1[0] = 0x40;
      const extBeyond = rtp({ seq: 8, ssrc: 1, extWords: 200, payload: Buffer.alloc(0) }).subarray(0, 40);
      const short = Buffer.alloc(7, 0x80);
      for (const op of ['protectRtp', 'unprotectRtp', 'protectRtcp', 'unprotectRtcp'] as const) {
        for (const bad of [Buffer.alloc(0), short, v1, extBeyond, wire.subarray(0, 27)]) same(node, native, op, bad);
        expect(same(node, native, op, short)).toBe(SRTP_ERR_MALFORMED);
        expect(same(node, native, op, v1)).toBe(SRTP_ERR_MALFORMED);
      }
      expect(same(node, native, 'protectRtp', extBeyond)).toBe(SRTP_ERR_MALFORMED);
      expect(same(node, native, 'unprotectRtp', extBeyond)).toBe(SRTP_ERR_MALFORMED);
      expect(same(node, native, 'unprotectRtp', wire.subarray(0, 12 + (cipher === 'aes-gcm-128' ? 15 : 9)))).toBe(
        SRTP_ERR_MALFORMED,
      );
      for (let ssrc = 1000; ssrc < 1300; ssrc++) {
        const code = same(
          node,
          native,
          'unprotectRtp',
          protect(tx, 'protectRtp', rtp({ seq: 1, ssrc, payload: randomBytes(4) })),
        );
        if (ssrc >= 1255) expect(code).toBe(SRTP_ERR_MALFORMED); // ssrc 1 already holds one of the 256
      }
    });

    it('matches node:crypto over a random stream of reordered, replayed, damaged and forged packets', () => {
      const [a, b] = params(cipher);
      const txNode = new NodeSrtpTransform(a);
      const txNative = new NativeSrtpTransform(a);
      const rxNode = new NodeSrtpTransform(b);
      const rxNative = new NativeSrtpTransform(b);
      let seed = 12345;
      const rnd = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % n;
      };
      const sent: Buffer[] = [];
      const seqs = [0, 40000, 65500];
      const outcomes = new Map<number, number>();
      let refused = 0;
      for (let i = 0; i < 2500; i++) {
        const k = rnd(3);
        const jump = [1, 1, 1, 2, -3, 700, -1100, 1500, 33000, -33000][rnd(10)]!;
        seqs[k] = (seqs[k]! + jump + 65536) % 65536;
        const pkt =
          rnd(8) === 0
            ? rtcp(k + 1, 4 * rnd(10))
            : rtp({
                seq: seqs[k],
                ssrc: k + 1,
                csrcs: rnd(3),
                extWords: rnd(2) ? rnd(3) : undefined,
                payload: randomBytes(rnd(120)),
              });
        const rtcpPkt = pkt[1] === 0xc8;
        const tx = same(txNode, txNative, rtcpPkt ? 'protectRtcp' : 'protectRtp', pkt);
        if (typeof tx === 'number') {
          // Both refuse an RTP index they already used (the backward jumps come back to one).
          expect(tx).toBe(SRTP_ERR_REPLAY);
          refused++;
          continue;
        }
        const wire = tx;
        sent.push(wire);
        const pick = rnd(10);
        let input = pick < 2 && sent.length > 1 ? sent[rnd(sent.length)]! : wire;
        if (pick === 2 && input.length > 0) {
          input = Buffer.from(input);
          const at = rnd(input.length);
          input[at] = input[at]! ^ (1 << rnd(8));
        }
        if (pick === 3) input = input.subarray(0, rnd(input.length + 1));
        if (pick === 4) input = Buffer.concat([input.subarray(0, 12), randomBytes(rnd(60))]);
        const isRtcp = input.length > 1 && input[1]! >= 0xc8 && input[1]! <= 0xcf;
        const r = same(rxNode, rxNative, isRtcp ? 'unprotectRtcp' : 'unprotectRtp', input);
        const code = typeof r === 'number' ? r : 0;
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      }
      for (const code of [0, SRTP_ERR_AUTH, SRTP_ERR_REPLAY, SRTP_ERR_MALFORMED]) {
        expect(outcomes.get(code)).toBeGreaterThan(50); // every path taken, not only one
      }
      expect(refused).toBeGreaterThan(10);
    });

    it('works in place and with overlapping source and destination', () => {
      const [p] = params(cipher);
      const node = new NodeSrtpTransform(p);
      const native = new NativeSrtpTransform(p);
      const plain = rtp({ seq: 1, ssrc: 9, payload: randomBytes(100) });
      const expected = same(node, native, 'protectRtp', plain) as Buffer;
      const nextNode = Buffer.alloc(200);
      const nPlain = rtp({ seq: 2, ssrc: 9, payload: randomBytes(100) });
      const nLen = node.protectRtp(nPlain, 0, nPlain.length, nextNode, 0);
      const inPlace = Buffer.alloc(200);
      plain.copy(inPlace);
      const native2 = new NativeSrtpTransform(p);
      expect(native2.protectRtp(inPlace, 0, plain.length, inPlace, 0)).toBe(expected.length);
      expect(inPlace.subarray(0, expected.length)).toEqual(expected);
      const shifted = Buffer.alloc(200);
      nPlain.copy(shifted, 8);
      expect(native2.protectRtp(shifted, 8, nPlain.length, shifted, 4)).toBe(nLen);
      expect(shifted.subarray(4, 4 + nLen)).toEqual(nextNode.subarray(0, nLen));
    });
  });

  it('throws on bad arguments instead of crashing', () => {
    const [p] = params('aes-gcm-128');
    const t = new NativeSrtpTransform(p);
    const pkt = rtp({ seq: 1, ssrc: 1, payload: randomBytes(20) });
    const dst = Buffer.alloc(100);
    const call =
      (...args: unknown[]) =>
      (): number =>
        (t.protectRtp as (...a: unknown[]) => number).apply(t, args);
    expect(call(pkt, 0, pkt.length, dst, 0)()).toBe(pkt.length + 16);
    throwsA('TypeError', call('x', 0, 1, dst, 0));
    throwsA('TypeError', call(pkt, '0', 1, dst, 0));
    throwsA('TypeError', call(pkt, 0, pkt.length, [1, 2, 3], 0));
    throwsA('TypeError', call(pkt, 0, pkt.length, new Uint16Array(100), 0));
    throwsA('TypeError', call(pkt, 0, pkt.length, dst));
    throwsA('RangeError', call(pkt, -1, pkt.length, dst, 0));
    throwsA('RangeError', call(pkt, 0.5, 10, dst, 0));
    throwsA('RangeError', call(pkt, 0, NaN, dst, 0));
    throwsA('RangeError', call(pkt, 1, pkt.length, dst, 0));
    throwsA('RangeError', call(pkt, 0, 2 ** 40, dst, 0));
    throwsA('RangeError', call(pkt, 0, pkt.length, dst, 101));
    throwsA('RangeError', call(pkt, 0, pkt.length, dst, 100 - pkt.length - 15));
    throwsA('RangeError', call(pkt, 0, pkt.length, Buffer.alloc(pkt.length + 15), 0));
    throwsA('RangeError', () => t.unprotectRtp(Buffer.alloc(40, 0x80), 0, 40, Buffer.alloc(10), 0));
    const binding = loadNativeSrtp()!;
    throwsA('RangeError', () => new binding.SrtpContext(true, Buffer.alloc(199)));
    throwsA('TypeError', () => new binding.SrtpContext('yes' as unknown as boolean, Buffer.alloc(200)));
    const ctx = new binding.SrtpContext(false, Buffer.alloc(200));
    throwsA('TypeError', () => ctx.protectRtp.call({}, pkt, 0, pkt.length, dst, 0));
  });
});
