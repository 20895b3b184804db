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
});
