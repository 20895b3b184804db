// Video allocation end to end (issue #16): pages of the web client send a 1280x720 camera as three VP8 simulcast
// encodings; the bridge gives each receiver the encoding its constraints ask for, on the SSRC it knows.
import type { BrowserParticipant } from '../harness/browser-page.js';
import { browserSuite } from '../harness/browser-suite.js';
import { decodesAt, idOf } from '../harness/video-checks.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();

/** What the senders send and why, and what the bridge gives each receiver: a failure under load told from ours. */
async function whatTheySaw(pages: BrowserParticipant[], ids: string[]): Promise<string> {
  const debug = (await (await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats/debug`)).json()) as Record<
    string,
    Record<string, { bandwidth?: { estimateBps?: number }; video?: unknown }>
  >;
  const out: string[] = [];
  for (const [i, p] of pages.entries()) {
    const ep = Object.values(debug).find((c) => c[ids[i]!] !== undefined)?.[ids[i]!];
    out.push(
      `${p.name} sends ${JSON.stringify(await p.outbound())} as ${JSON.stringify(await p.encodings())}; ` +
        `bridge: estimate ${Math.round(ep?.bandwidth?.estimateBps ?? -1)}, video ${JSON.stringify(ep?.video).replace(/"offered":\[[^\]]*\],?/g, '')}`,
    );
  }
  return out.join('\n');
}

describe('simulcast and receiver constraints (Chromium, web client)', () => {
  it('two pages decode each other at 1280x720', async () => {
    // Issue #16: within 30 s. Seen 2-4 s since the senders send VP8 simulcast (the offer leads with the preferred
    // codec); the senders' own estimates have to reach the top encoding's rate first (the time is printed).
    // A second pair of pages only when a sender held its own top encoding back (Chromium's send-side estimate or CPU
    // adaptation on a loaded 2-core machine: seen once in CI at 1.35 Mbps, `bandwidth`): what the bridge
    // forwards is never given a second chance.
    for (let attempt = 1; ; attempt++) {
      const a = await suite.join(`sim-two-${attempt}`, 'Ann');
      const b = await suite.join(`sim-two-${attempt}`, 'Bob');
      const [ida, idb] = await Promise.all([idOf(a), idOf(b)]);
      // Whether a sender holds its own top encoding back (then the bridge has no 720 to forward).
      const heldBack = async (): Promise<boolean> =>
        (await Promise.all([a.outbound(), b.outbound()])).some((o) => o.qualityLimitationReason !== 'none');
      let failure: string | undefined;
      const t = await Promise.all([decodesAt(a, idb, 720, 30_000), decodesAt(b, ida, 720, 30_000)]).catch(
        (err: unknown) => {
          failure = (err as Error).message;
          return [] as number[];
        },
      );
      const width = (await a.inbound())[idb]?.frameWidth;
      if (failure === undefined && width !== 1280) failure = `Ann gets Bob at ${width} wide after 720p`;
      if (failure !== undefined) {
        const saw = await whatTheySaw([a, b], [ida, idb]);
        if (attempt === 2 || !(await heldBack())) throw new Error(`${failure}\n${saw}`);
        process.stdout.write(`attempt ${attempt}: ${failure}, a sender held back its top encoding: ${saw}\n`);
        await Promise.all([a.close(), b.close()]);
        continue;
      }
      process.stdout.write(`two pages at 1280x720: ${t.join(' and ')} ms after both joined\n`);
      await Promise.all([a.close(), b.close()]);
      return;
    }
  }, 150_000);

  it('gives a receiver asking 180 the 320x180 encoding and one asking 720 the 1280x720, and follows a change', async () => {
    const sender = await suite.join('sim-three', 'Sender');
    // The receivers' own cameras at 180p: three 720p encoders would leave this 2-core machine's Chromium short.
    const high = await suite.join('sim-three', 'High', 'receiveHeight=720&resolution=180');
    const low = await suite.join('sim-three', 'Low', 'receiveHeight=180&resolution=180');
    const id = await idOf(sender);
    // What the sender sends depends on its own bandwidth estimate (Chromium's ramp-up, not the bridge's choice):
    // the receiver asking 720 must get the best encoding flowing, the one asking 180 the 320x180 one.
    const t0 = Date.now();
    let best = 0;
    await waitUntil(
      'the receiver asking 720 to decode the sender’s best encoding, the one asking 180 the 180p one',
      async () => {
        best = Math.max(...(await sender.encodings()).map((e) => e.height));
        const [h, l] = [(await high.inbound())[id], (await low.inbound())[id]];
        return best >= 360 && h?.frameHeight === best && l?.frameHeight === 180;
      },
      60_000,
      250,
    );
    process.stdout.write(`720 receiver at ${best}p and 180 receiver at 180p after ${Date.now() - t0} ms\n`);
    expect((await low.inbound())[id]?.frameWidth).toBe(320);

    // On a failure, what the bridge saw: the receivers' estimates and allocations tell its choice from load.
    const orSay = async <T>(p: Promise<T>): Promise<T> =>
      p.catch(async (err: unknown) => {
        const saw = await whatTheySaw([sender, high, low], [id, await idOf(high), await idOf(low)]);
        throw new Error(`${(err as Error).message}\n${saw}`);
      });
    // Asking 720, Low gets what High (asking 720 all along) gets: the best encoding flowing now. That is the
    // sender's choice and may have changed since (its estimate ramping up to 720, or CPU holding 720 back).
    await low.setReceiveHeight(720);
    const t1 = Date.now();
    const top = await orSay(
      waitUntil(
        'Low, asking 720, to decode the encoding High decodes',
        async () => {
          const [h, l] = [(await high.inbound())[id], (await low.inbound())[id]];
          return h !== undefined && h.frameHeight >= 360 && l?.frameHeight === h.frameHeight && h.frameHeight;
        },
        15_000,
        100,
      ),
    );
    const up = Date.now() - t1;
    await low.setReceiveHeight(180);
    const down = await orSay(decodesAt(low, id, 180, 10_000));
    process.stdout.write(`switch 180->${top}: ${up} ms, ${top}->180: ${down} ms\n`);
    if (top === 720) {
      await low.setReceiveHeight(360);
      process.stdout.write(`switch 180->360: ${await orSay(decodesAt(low, id, 360, 10_000))} ms\n`);
    }
    // The other receiver kept the best encoding all along.
    expect((await high.inbound())[id]?.frameHeight).toBeGreaterThanOrEqual(360);

    // SenderSourceConstraints: with everyone asking 180 the sender turns its upper encodings off, and back on.
    await low.setReceiveHeight(180);
    await high.setReceiveHeight(180);
    const flowing = async () => (await sender.encodings()).filter((e) => e.active).length;
    await waitUntil('the sender to send only its 180p encoding', async () => (await flowing()) === 1, 10_000, 250);
    await high.setReceiveHeight(720);
    await waitUntil('the sender to turn its upper encodings back on', async () => (await flowing()) === 3, 10_000, 250);
  }, 180_000);
});
