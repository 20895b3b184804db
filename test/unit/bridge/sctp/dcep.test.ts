import fc from 'fast-check';
import { dcepAck, dcepOpen, parseDcep } from '@convene/bridge/sctp';

// RFC 8832 §5.1: what Chromium sends for lib-jitsi-meet's channel (reliable, ordered, priority 256).
const CHROMIUM_OPEN = Buffer.concat([
  Buffer.from([0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x22]),
  Buffer.from('JVB data channel'),
  Buffer.from('http://jitsi.org/protocols/colibri'),
]);

describe('DCEP', () => {
  it("parses Chromium's DATA_CHANNEL_OPEN for the bridge channel", () => {
    expect(parseDcep(CHROMIUM_OPEN)).toEqual({
      type: 'open',
      open: {
        channelType: 0,
        priority: 256,
        reliability: 0,
        label: 'JVB data channel',
        protocol: 'http://jitsi.org/protocols/colibri',
      },
    });
  });

  it('builds the ACK and round-trips an OPEN', () => {
    expect(dcepAck()).toEqual(Buffer.from([0x02]));
    expect(parseDcep(dcepAck())).toEqual({ type: 'ack' });
    const open = { channelType: 0x81, priority: 7, reliability: 3, label: 'é', protocol: '' };
    expect(parseDcep(dcepOpen(open))).toEqual({ type: 'open', open });
  });

  it('refuses lengths that do not add up, unknown types and invalid UTF-8', () => {
    expect(parseDcep(Buffer.alloc(0))).toBeUndefined();
    expect(parseDcep(CHROMIUM_OPEN.subarray(0, CHROMIUM_OPEN.length - 1))).toBeUndefined();
    expect(parseDcep(Buffer.concat([CHROMIUM_OPEN, Buffer.from([0])]))).toBeUndefined();
    expect(parseDcep(Buffer.from([0x02, 0x00]))).toBeUndefined();
    expect(parseDcep(Buffer.from([0x05]))).toBeUndefined();
    const badUtf8 = Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff]);
    expect(parseDcep(badUtf8)).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        parseDcep(Buffer.from(bytes));
      }),
    );
  });
});
