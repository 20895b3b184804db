import { ChannelLimiter, TokenBucket, storeVideoType, MAX_EARLY_VIDEO_TYPES } from '@convene/bridge/channel';

const limits = { maxMessageBytes: 16_384, messagesPerSecond: 10, bytesPerSecond: 10_000, maxSendBacklogBytes: 1 << 20 };

describe('TokenBucket', () => {
  it('starts full, refuses past empty, and refills at its rate up to the capacity', () => {
    const b = new TokenBucket(10, 50, 0);
    for (let i = 0; i < 50; i++) expect(b.take(1, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.take(1, 100)).toBe(true); // 100 ms at 10/s: one token
    expect(b.take(1, 100)).toBe(false);
    expect(b.take(50, 60_000)).toBe(true);
    expect(b.take(1, 60_000)).toBe(false);
  });

  it('takes nothing when it cannot take all', () => {
    const b = new TokenBucket(1, 10, 0);
    expect(b.take(11, 0)).toBe(false);
    expect(b.take(10, 0)).toBe(true);
  });
});

describe('ChannelLimiter', () => {
  it('lets a 5 s burst through, then drops, then closes after as many drops again', () => {
    const l = new ChannelLimiter(limits, 0);
    const seen = Array.from({ length: 101 }, () => l.admit(10, 0));
    expect(seen.slice(0, 50).every((a) => a === 'accept')).toBe(true);
    expect(seen.slice(50, 100).every((a) => a === 'drop')).toBe(true);
    expect(seen[100]).toBe('close');
  });

  it('forgives a client that slows down to its budget', () => {
    const l = new ChannelLimiter(limits, 0);
    for (let i = 0; i < 90; i++) l.admit(10, 0);
    // At the budget for a minute: never closed.
    for (let t = 100; t <= 60_000; t += 100) expect(l.admit(10, t)).not.toBe('close');
  });

  it('counts bytes too: large messages run out before the message budget does', () => {
    const l = new ChannelLimiter(limits, 0);
    const seen = Array.from({ length: 6 }, () => l.admit(10_000, 0));
    expect(seen).toEqual(['accept', 'accept', 'accept', 'accept', 'accept', 'drop']);
    expect(l.admit(10_000, 1000)).toBe('accept'); // a second's worth of bytes later
  });
});

describe('storeVideoType', () => {
  it('keeps every own source and only the newest few names not (yet) among them', () => {
    const types = new Map<string, string>();
    const own = new Set(['a-v0', 'a-v1']);
    storeVideoType(types, own, 'a-v0', 'camera');
    let evicted = 0;
    for (let i = 0; i < 1000; i++) evicted += storeVideoType(types, own, `junk${i}`, 'desktop');
    storeVideoType(types, own, 'a-v1', 'desktop');
    expect(types.size).toBe(2 + MAX_EARLY_VIDEO_TYPES);
    expect(evicted).toBe(1000 - MAX_EARLY_VIDEO_TYPES);
    expect(types.get('a-v0')).toBe('camera');
    expect(types.get('a-v1')).toBe('desktop');
    expect(types.has('junk999')).toBe(true);
    expect(types.has('junk0')).toBe(false);
  });

  it('keeps a type that arrives before its source (the channel may beat Colibri2)', () => {
    const types = new Map<string, string>();
    storeVideoType(types, new Set(), 'b-v1', 'desktop');
    expect(types.get('b-v1')).toBe('desktop');
  });
});
