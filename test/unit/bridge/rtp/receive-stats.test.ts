import { ReceiveStats, writeReceiverReport } from '@convene/bridge/rtp';

describe('ReceiveStats', () => {
  it('reports loss, the extended highest sequence and DLSR across a wrap', () => {
    const s = new ReceiveStats(0xdeadbeef);
    for (const seq of [65530, 65531, 65533, 65535, 0, 1, 3]) s.onRtp(seq);
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
    const s = new ReceiveStats(1);
    s.onRtp(0);
    s.onRtp(200);
    const buf = Buffer.alloc(32);
    expect(() => writeReceiverReport(buf, 0, 1, [s], 0)).not.toThrow();
    expect(buf[12]).toBe(Math.floor((199 * 256) / 201));
  });
});
