// The bench harness's accounting (bench/lib/scenario.ts): a small conference on a real bridge process with
// load peers in their own processes. No timing is asserted; only that every packet adds up.
import { Scenario } from '../../../bench/lib/scenario.js';

describe('bench scenario accounting', () => {
  let scenario: Scenario | undefined;

  afterAll(async () => {
    await scenario?.close();
  });

  it('counts every packet sent as received or lost, and reports a deliberately dropped share as loss', async () => {
    scenario = await Scenario.convene({ senders: 2, receivers: 3, loadProcesses: 2 });
    const dropEvery = 10;
    const r = await scenario.step({ seconds: 1, dropEvery, drainMs: 500, settleMs: 15_000 });

    // 2 senders x (50 audio + 300 video) packets, each due at the 4 other endpoints.
    expect(r.offeredPps).toBe(700);
    expect(r.expected).toBe(700 * 4);
    expect(r.received + r.lost).toBe(r.expected);
    expect(r.duplicates).toBe(0);
    expect(r.failedDecrypt).toBe(0);
    // Loopback at 700 packets/s loses nothing (late packets are waited for), so the only loss is the senders'.
    expect(r.deliberatelyLost).toBe(r.expected / dropEvery);
    expect(r.lost).toBe(r.deliberatelyLost);
    expect(r.lossPct).toBeCloseTo(100 / dropEvery, 9);
    // The bridge's own counter agrees with what the receivers counted.
    expect(r.bridgeForwarded).toBe(r.received);

    // A second step on the same conference is accounted on its own sequence range.
    const clean = await scenario.step({ seconds: 1, drainMs: 500, settleMs: 15_000 });
    expect(clean.expected).toBe(700 * 4);
    expect(clean.received + clean.lost).toBe(clean.expected);
    expect(clean.lost).toBe(0);
    expect(clean.bridgeForwarded).toBe(clean.received);
  });

  it('accounts a simulcast conference by the encoding each endpoint asked for over the bridge channel', async () => {
    await scenario?.close();
    // Every endpoint asks 180 over colibri-ws: of each sender's three VP8 encodings only the lowest is due.
    scenario = await Scenario.convene({ senders: 2, receivers: 2, loadProcesses: 2, simulcast: 180 });
    // A keyframe of the low encoding starts each receiver; no drain after it, so the pause before the next step is
    // short.
    await scenario.step({ seconds: 1, drainMs: 0 });
    const low = await scenario.step({ seconds: 1, drainMs: 500, settleMs: 15_000 });
    // 2 senders x (50 audio + 30 packets of the 180p encoding), each due at the 3 other endpoints.
    expect(low.offeredPps).toBe(2 * (50 + 30 + 60 + 180));
    expect(low.expected).toBe(2 * (50 + 30) * 3);
    // Every due packet arrived, and the bridge counted exactly what the receivers got.
    expect(low.lost).toBeLessThanOrEqual(0);
    expect(low.failedDecrypt).toBe(0);
    expect(low.bridgeForwarded).toBe(low.received);
    // Of the upper encodings (2 x 240 packets/s, 1,440 a second at the 3 receivers), at most what one sender sends
    // between two low packets (33 ms: 8), per sender and receiver: 48. Two fresh-clone CI runs under load got 3 and 6
    // more than were due (local runs: none). When the pause between the steps passes the bridge's 1.5 s inactivity
    // limit, every encoding counts as paused, and a receiver asking 180 gets whichever encoding comes first on resume
    // until the low one is seen again.
    expect(low.received - low.expected).toBeLessThanOrEqual(48);
  });
});
