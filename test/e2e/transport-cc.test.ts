// Transport-cc feedback from the bridge (issue 15, uplink): a Chromium page sending a 1280x720 camera gets the
// arrival times of its packets back, so its send-side estimator (GCC) rises as it does with JVB. Without feedback
// the estimate stays near its start (~80-300 kbps) and the page reports its video as limited by bandwidth.
import { browserSuite } from '../harness/browser-suite.js';
import type { PageOutbound } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();

describe('transport-cc feedback to a Chromium sender', () => {
  it("raises the sender's estimate above 1.5 Mbps with its video not limited by bandwidth", async () => {
    const sender = await suite.join('tcc', 'Sender', 'resolution=720');
    const maxEstimate = await sender.sampleEstimate();
    const receiver = await suite.join('tcc', 'Receiver', 'resolution=180');
    await waitUntil(
      'the receiver decodes video',
      async () => Object.values(await receiver.inbound()).some((e) => e.framesDecoded > 0),
      30_000,
    );
    const curve: string[] = [];
    const t0 = Date.now();
    const sample = async (): Promise<PageOutbound> => {
      const o = await sender.outbound();
      const s = ((Date.now() - t0) / 1000).toFixed(1);
      curve.push(`${s}: ${Math.round(o.availableOutgoingBitrate / 1000)} ${o.qualityLimitationReason} ${o.frameWidth}`);
      return o;
    };
    try {
      // The estimate: what the feedback changes (without it, it stays near Chromium's start).
      await waitUntil(
        'the sender estimate above 1.5 Mbps',
        async () => {
          await sample();
          return (await maxEstimate()) > 1_500_000;
        },
        20_000,
        1000,
      );
      // Then Chromium's encoder climbs back to the camera's 1280x720 a step at a time (it started low because
      // every call starts with a low estimate); once there, nothing limits it. Alone on this machine that takes
      // ~22 s; beside another browser test the bridge's arrival times (taken in JavaScript) pick up event-loop
      // delay that the sender's estimator reads as queuing, and it takes up to ~45 s: hence the generous deadline.
      await waitUntil(
        'the sender at 1280 wide, not limited by bandwidth',
        async () => {
          const o = await sample();
          return o.frameWidth === 1280 && o.qualityLimitationReason === 'none';
        },
        75_000,
        1000,
      );
    } finally {
      console.log(`sender estimate over time (s: kbps, limitation, width):\n${curve.join('\n')}`);
    }
  }, 150_000);
});
