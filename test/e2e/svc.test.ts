// SVC end to end (issue #16): a page of the web client sends a 1280x720 camera as ONE VP9 or AV1 encoding with
// scalabilityMode L3T3_KEY (three spatial layers, 320x180 to 1280x720, in band); the bridge gives each receiver the
// spatial layer its constraints ask for (VP9 payload descriptor, AV1 dependency descriptor), on the same SSRC.
import { browserSuite } from '../harness/browser-suite.js';
import type { BrowserParticipant } from '../harness/browser-page.js';
import { decodesAt, idOf } from '../harness/video-checks.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();

interface SenderVideo {
  scalabilityMode: string;
  frameHeight: number;
  encoder: string;
  streams: number;
}

/** The sender's outbound video as its getStats says (one outbound-rtp stream when SVC). */
function senderVideo(p: BrowserParticipant): Promise<SenderVideo> {
  return p.page.evaluate(async () => {
    const out = { scalabilityMode: '', frameHeight: 0, encoder: '', streams: 0 };
    const pc = (window as unknown as { convene?: { peerConnection?: RTCPeerConnection } }).convene?.peerConnection;
    if (pc === undefined) return out;
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      out.streams++;
      if (typeof s.scalabilityMode === 'string') out.scalabilityMode = s.scalabilityMode;
      if (typeof s.frameHeight === 'number') out.frameHeight = Math.max(out.frameHeight, s.frameHeight);
      if (typeof s.encoderImplementation === 'string') out.encoder = s.encoderImplementation;
    });
    return out;
  });
}

interface VideoDebug {
  target: number;
  spatial: number;
  decodeTarget: number;
  av1?: { spatial: number; decodeTargets: number; chains: number; heights: number[] };
  counters: { droppedLayer: number; forwarded: number };
}

/** The bridge's debug stats of the one video source endpoint `id` receives that has SVC layers. */
async function bridgeVideoDebug(id: string): Promise<VideoDebug> {
  const res = await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats/debug`);
  const all = (await res.json()) as Record<string, Record<string, { video: Record<string, VideoDebug> }>>;
  for (const conf of Object.values(all)) {
    const video = conf[id]?.video;
    const svc = Object.values(video ?? {}).find((v) => v.counters.droppedLayer > 0 || v.av1 !== undefined);
    if (svc !== undefined) return svc;
  }
  throw new Error(`no SVC source received by ${id} in ${JSON.stringify(all)}`);
}

/** Per endpoint of every conference, how its bridge counters moved over 2 s (is media still flowing?). */
async function bridgeFlow(): Promise<string> {
  type All = Record<string, Record<string, { counters: Record<string, number>; bandwidth: { estimateBps: number } }>>;
  const get = async (): Promise<All> =>
    (await (await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats/debug`)).json()) as All;
  const a = await get();
  await new Promise((r) => setTimeout(r, 2000));
  const b = await get();
  const out: string[] = [];
  for (const [conf, eps] of Object.entries(b))
    for (const [id, e] of Object.entries(eps)) {
      const before = a[conf]?.[id]?.counters ?? {};
      const moved = Object.entries(e.counters)
        .filter(([k, v]) => typeof v === 'number' && v !== (before[k] ?? 0))
        .map(([k, v]) => `${k}+${v - (before[k] ?? 0)}`);
      out.push(`${id}: est ${Math.round(e.bandwidth.estimateBps)} ${moved.join(' ')}`);
    }
  return out.join('; ');
}

/** Everything the bridge's debug stats say about endpoint `id` (its downlink estimate, what it receives). */
async function bridgeEndpointDebug(id: string): Promise<unknown> {
  const all = (await (await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats/debug`)).json()) as Record<
    string,
    Record<string, { bandwidth: unknown; video: unknown }>
  >;
  for (const conf of Object.values(all)) if (conf[id] !== undefined) return { ...conf[id], counters: undefined };
  return undefined;
}

async function svcCase(codec: 'vp9' | 'av1'): Promise<void> {
  const room = `svc-${codec}`;
  const sender = await suite.join(room, 'Sender', `videoCodec=${codec}`);
  // The receivers' own cameras at 180p (VP8): more 720p encoders would leave this 2-core machine's Chromium short.
  const high = await suite.join(room, 'High', 'receiveHeight=720&resolution=180');
  const low = await suite.join(room, 'Low', 'receiveHeight=180&resolution=180');
  try {
    await svcSteps(codec, sender, high, low);
  } catch (err) {
    // What the bridge and the pages saw, so a failure under load can be told from one of ours.
    const [flow, out] = [await bridgeFlow(), JSON.stringify(await sender.outbound())];
    const debug = JSON.stringify({
      high: await bridgeEndpointDebug(await idOf(high)),
      low: await bridgeEndpointDebug(await idOf(low)),
    }).replace(/"offered":\[[^\]]*\],?/g, '');
    const logs = [sender, high, low].map((p) => `${p.name}: ${p.logs.slice(-8).join(' | ')}`).join('; ');
    const bridgeLog = suite.stack.bridge.lines
      .filter((l) => !l.startsWith('{') || /"level":[456]0|endpoint closed|expire/.test(l))
      .slice(-12);
    throw new Error(
      `${(err as Error).message}\nbridge over 2 s: ${flow}\nsender out: ${out}\nbridge: ${debug}\npages: ${logs}\nbridge log: ${bridgeLog.join(' / ')}`,
    );
  }
  await Promise.all([sender.close(), high.close(), low.close()]);
}

async function svcSteps(
  codec: 'vp9' | 'av1',
  sender: BrowserParticipant,
  high: BrowserParticipant,
  low: BrowserParticipant,
): Promise<void> {
  const id = await idOf(sender);
  // With a receiver asking 720 the bridge's SenderSourceConstraints let the sender use all three spatial layers
  // (before the receivers' constraints arrive it may send fewer: L1T3 or L2T3_KEY).
  let last: SenderVideo | undefined;
  const sent = await waitUntil(
    `${codec}: the sender to encode L3T3_KEY`,
    async () => {
      last = await senderVideo(sender);
      return last.frameHeight > 0 && last.scalabilityMode === 'L3T3_KEY' ? last : undefined;
    },
    30_000,
    250,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`);
  });
  process.stdout.write(`${codec} sender: ${JSON.stringify(sent)}\n`);
  expect(sent.streams).toBe(1);
  // What the sender's top layer is depends on its own bandwidth estimate (Chromium drops spatial layers it cannot
  // afford): the receiver asking 720 must decode the top layer that flows, the one asking 180 the base layer.
  const t0 = Date.now();
  let best = 0;
  let seen = '';
  await waitUntil(
    `${codec}: the receiver asking 720 to decode the top layer, the one asking 180 the 320x180 base layer`,
    async () => {
      best = (await senderVideo(sender)).frameHeight;
      const [h, l] = [(await high.inbound())[id], (await low.inbound())[id]];
      const o = await sender.outbound();
      seen = `sender ${best}p (${o.qualityLimitationReason}, ${o.availableOutgoingBitrate} bps out), 720 receiver ${JSON.stringify(h)}, 180 receiver ${JSON.stringify(l)}`;
      return best >= 360 && h?.frameHeight === best && l?.frameHeight === 180 && l.framesDecoded > 0;
    },
    60_000,
    250,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last: ${seen}`);
  });
  const lowAt = (await low.inbound())[id]!;
  process.stdout.write(
    `${codec}: 720 receiver at ${best}p, 180 receiver at ${lowAt.frameWidth}x${lowAt.frameHeight} after ${Date.now() - t0} ms\n`,
  );
  expect(lowAt.frameWidth).toBe(320);
  const top = best;
  // The bridge's view: the receiver asking 180 gets the base layer, the upper ones dropped for it.
  const lowDebug = await bridgeVideoDebug(await idOf(low));
  process.stdout.write(`${codec}: bridge, for the 180 receiver: ${JSON.stringify(lowDebug)}\n`);
  expect(lowDebug.spatial).toBe(0);
  expect(lowDebug.counters.droppedLayer).toBeGreaterThan(0);
  if (codec === 'av1') expect(lowDebug.av1?.spatial).toBe(3);

  // Up: a keyframe brings the next layer at once; the top one may wait for the receiver's own downlink estimate to
  // climb (the allocator spends only what it estimates), so both times are reported.
  await low.setReceiveHeight(720);
  const t1 = Date.now();
  const lowId = await idOf(low);
  let chosenAt = -1;
  const firstUp = await waitUntil(
    `${codec}: the receiver now asking 720 to leave the base layer`,
    async () => {
      // When the bridge chose a higher layer (its estimate allowing), as against when the receiver decodes one.
      if (chosenAt < 0 && (await bridgeVideoDebug(lowId)).target > 0) chosenAt = Date.now() - t1;
      const h = (await low.inbound())[id]?.frameHeight ?? 0;
      return h > 180 ? h : undefined;
    },
    20_000,
    100,
  );
  const upFirst = Date.now() - t1;
  const up = await decodesAt(low, id, (await high.inbound())[id]!.frameHeight, 30_000);
  await low.setReceiveHeight(180);
  const down = await decodesAt(low, id, 180, 15_000);
  process.stdout.write(
    `${codec}: switch 180->${firstUp}: ${upFirst} ms (layer chosen after ${chosenAt} ms), to the top layer ${top}: ${up} ms, back to 180: ${down} ms\n`,
  );
  // The other receiver kept a layer above the base all along.
  expect((await high.inbound())[id]?.frameHeight).toBeGreaterThan(180);

  // SenderSourceConstraints: with everyone asking 180 the sender drops to one spatial layer (L1T3 at 320x180, as
  // lib-jitsi-meet), and goes back to three when a receiver asks 720; the bridge follows the new structures.
  await high.setReceiveHeight(180);
  const t2 = Date.now();
  await waitUntil(
    `${codec}: the sender to encode only 320x180 (L1T3)`,
    async () => {
      const v = await senderVideo(sender);
      return v.scalabilityMode === 'L1T3' && v.frameHeight === 180;
    },
    15_000,
    250,
  );
  const single = Date.now() - t2;
  await Promise.all([decodesAt(high, id, 180, 15_000), decodesAt(low, id, 180, 15_000)]);
  await high.setReceiveHeight(720);
  const t3 = Date.now();
  await waitUntil(
    `${codec}: the sender back to L3T3_KEY`,
    async () => (await senderVideo(sender)).scalabilityMode === 'L3T3_KEY',
    15_000,
    250,
  );
  // The sender's encoder climbs back through its own estimate (it sent ~100 kbps meanwhile): Chromium's ramp-up,
  // not the bridge's. Once a layer above the base flows, the receiver asking 720 must get it.
  let senderSeen = '';
  const upper = await waitUntil(
    `${codec}: the sender to encode above 320x180 again`,
    async () => {
      const [v, o] = [await senderVideo(sender), await sender.outbound()];
      senderSeen = `${JSON.stringify(v)} ${o.qualityLimitationReason} ${o.availableOutgoingBitrate} bps out`;
      return v.frameHeight > 180 ? v.frameHeight : undefined;
    },
    45_000,
    250,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; sender: ${senderSeen}`);
  });
  const back = await waitUntil(
    `${codec}: the receiver asking 720 to decode above the base layer again`,
    async () => {
      const h = (await high.inbound())[id]?.frameHeight ?? 0;
      return h > 180 ? h : undefined;
    },
    15_000,
    100,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; sender at ${upper}p`);
  });
  await decodesAt(low, id, 180, 15_000);
  process.stdout.write(
    `${codec}: everyone at 180 -> sender L1T3 after ${single} ms; one asking 720 -> ${back}p after ${Date.now() - t3} ms\n`,
  );
}

describe('SVC layer selection (Chromium, web client, L3T3_KEY)', () => {
  it('VP9: the receiver asking 180 decodes the base spatial layer, the one asking 720 the top, and switches', async () => {
    await svcCase('vp9');
  }, 180_000);

  it('AV1: the receiver asking 180 decodes the base spatial layer, the one asking 720 the top, and switches', async () => {
    await svcCase('av1');
  }, 180_000);
});
