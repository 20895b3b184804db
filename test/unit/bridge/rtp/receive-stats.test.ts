import { ReceiveStats, writeReceiverReport } from '@convene/bridge/rtp';

describe('ReceiveStats', () => {
  it('reports loss, the extended highest sequence and DLSR across a wrap', () => {
    const s = new ReceiveStats(0xdeadbeef, 90_000);
    for (const seq of [65530, 65531, 65533, 65535, 0, 1, 3]) s.onRtp(seq, seq * 3000, seq * (100 / 3));
    s.onSr(0x12345678, 1000);
    const buf = Buffer.alloc(64);
    expect(writeReceiverReport(buf, 0, 42, [s], 1500)).toBe(32);
    expect(buf.readUInt32BE(4)).toBe(42);
    expect(buf.readUInt32BE(8)).toBe(0xdeadbeef);
    expect(buf.readUInt32BE(12) & 0xffffff).toBe(3); // 10 expected, 7 received
    expect(buf[12]).toBe(Math.floor((3 * 256) / 10));
    expect(buf.readUInt32BE(16)).toBe(0x10000 + 3);
    expect(buf.readUInt32BE(24)).toBe(0x12345678);
    expect(buf.readUInt32BE(28)).toBe(32768); // 500 ms in 1/65536 s
  });

  it('writes a fraction lost above one half without overflowing the field', () => {
    const s = new ReceiveStats(1, 48_000);
    s.onRtp(0, 0, 0);
    s.onRtp(200, 200 * 960, 200 * 20);
    const buf = Buffer.alloc(32);
    expect(() => writeReceiverReport(buf, 0, 1, [s], 0)).not.toThrow();
    expect(buf[12]).toBe(Math.floor((199 * 256) / 201));
  });

  it('estimates interarrival jitter in timestamp units (RFC 3550 A.8)', () => {
    const steady = new ReceiveStats(1, 48_000);
    for (let i = 0; i < 100; i++) steady.onRtp(i, i * 960, 1000 + i * 20);
    expect(steady.jitter).toBe(0);
    const shaky = new ReceiveStats(2, 48_000);
    // Every other packet 2 ms late: |D| = 96 units each time, so jitter converges on 96.
    for (let i = 0; i < 400; i++) shaky.onRtp(i, i * 960, 1000 + i * 20 + (i % 2) * 2);
    expect(shaky.jitter).toBeGreaterThan(90);
    expect(shaky.jitter).toBeLessThanOrEqual(96);
    const buf = Buffer.alloc(32);
    writeReceiverReport(buf, 0, 1, [shaky], 0);
    expect(buf.readUInt32BE(20)).toBe(Math.floor(shaky.jitter));
  });

  it('survives an RTP timestamp wrap without a jitter spike', () => {
    const s = new ReceiveStats(3, 90_000);
    for (let i = 0; i < 50; i++) s.onRtp(i, (0xffffffff - 10 * 3000 + i * 3000) >>> 0, i * (100 / 3));
    expect(s.jitter).toBeLessThan(1);
  });
});
