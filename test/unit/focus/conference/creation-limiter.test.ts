import { CreationLimiter } from '@convene/focus/conference';

describe('CreationLimiter', () => {
  it('allows max creations per window per key, and again once the window has passed', () => {
    const l = new CreationLimiter(2, 1000);
    for (const t of [0, 10]) {
      expect(l.allows('a', t)).toBe(true);
      l.record('a', t);
    }
    expect(l.allows('a', 20)).toBe(false);
    expect(l.allows('b', 20)).toBe(true);
    expect(l.allows('a', 1011)).toBe(true);
  });

  it('forgets keys whose window has passed instead of holding one per fresh requester', () => {
    const l = new CreationLimiter(5, 1000);
    for (let i = 0; i < 500; i++) {
      const now = i * 100; // ten new requesters per window
      if (l.allows(`anon-${i}`, now)) l.record(`anon-${i}`, now);
    }
    expect(l.size).toBeLessThanOrEqual(11);
    expect(l.allows('never-seen', 50_000)).toBe(true);
    expect(l.size).toBeLessThanOrEqual(11);
  });

  it('keeps at most maxKeys keys even inside one window', () => {
    const l = new CreationLimiter(5, 60_000, 100);
    for (let i = 0; i < 1000; i++) l.record(`k${i}`, i);
    expect(l.size).toBe(100);
  });
});
