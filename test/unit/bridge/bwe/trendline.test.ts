// The delay-based detector on synthetic one-way delays: flat is normal, a growing queue is overuse, a draining
// one underuse.
import { Trendline } from '../../../../bridge/src/bwe/index.js';

/** Groups every 20 ms, with the one-way delay `delayAt(i)` for group i; returns the states seen. */
function run(delayAt: (i: number) => number, groups = 80): Set<string> {
  const t = new Trendline();
  const seen = new Set<string>();
  for (let i = 0; i < groups; i++) {
    const send = i * 20;
    t.onPacket(send, send + 30 + delayAt(i));
    t.onPacket(send + 1, send + 31 + delayAt(i));
    if (i > 30) seen.add(t.state);
  }
  return seen;
}

describe('Trendline', () => {
  it('reads a flat delay as normal', () => {
    expect([...run(() => 0)]).toEqual(['normal']);
  });

  it('reads a delay ramp (a queue building at 1 ms per 20 ms) as overuse', () => {
    expect(run((i) => i)).toContain('overusing');
  });

  it('reads a draining queue as underuse', () => {
    expect(run((i) => Math.max(200 - 3 * i, 0))).toContain('underusing');
  });

  it('keeps small jitter normal', () => {
    const seen = run((i) => (i * 7919) % 3);
    expect(seen.has('overusing')).toBe(false);
  });
});
