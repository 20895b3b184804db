// Transport-cc feedback from the bridge (issue 15, uplink): a Chromium page sending a 1280x720 camera gets the
// arrival times of its packets back, so its send-side estimator (GCC) rises as it does with JVB. Without feedback
// the estimate stays near its start (~80-300 kbps) and the page reports its video as limited by bandwidth.
import type { Browser } from 'playwright-core';
import { startBrowserStack, type BrowserStack } from '../harness/browser-stack.js';
import { BrowserParticipant, launchChromium, type PageOutbound } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

let stack: BrowserStack;
let browser: Browser;
const people: BrowserParticipant[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startBrowserStack(), launchChromium()]);
}, 90_000);
afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  await browser?.close();
  await stack?.close();
});

describe('transport-cc feedback to a Chromium sender', () => {
  it("raises the sender's estimate above 1.5 Mbps with its video not limited by bandwidth", async () => {
    const sender = await BrowserParticipant.join(browser, stack.webUrl, 'tcc', 'Sender', 'resolution=720');
    people.push(sender);
    const receiver = await BrowserParticipant.join(browser, stack.webUrl, 'tcc', 'Receiver', 'resolution=180');
    people.push(receiver);
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
        async () => (await sample()).availableOutgoingBitrate > 1_500_000,
        20_000,
        1000,
      );
      // Then Chromium's encoder climbs back to the camera's 1280x720 a step at a time (it started low because
      // every call starts with a low estimate); once there, nothing limits it.
      await waitUntil(
        'the sender at 1280 wide, not limited by bandwidth',
        async () => {
          const o = await sample();
          return (
            o.frameWidth === 1280 && o.qualityLimitationReason === 'none' && o.availableOutgoingBitrate > 1_500_000
          );
        },
        45_000,
        1000,
      );
    } finally {
      console.log(`sender estimate over time (s: kbps, limitation, width):\n${curve.join('\n')}`);
    }
  }, 120_000);
});
