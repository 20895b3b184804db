// The full path a focus drives: Colibri2 allocations on the real bridge process, two node-datachannel peers
// connecting with the returned transports, RTP through the bridge, force-mute dropping one endpoint's video until
// unmuted, then expiring one endpoint stops its media.
import { randomBytes } from 'node:crypto';
import type { Prosody } from '@convene/xmpp-server';
import { parseConferenceModified } from '@convene/protocol/colibri2';
import type { TransportParams } from '@convene/bridge/conference';
import { startTestProsody } from '../../harness/prosody.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { joinBreweryAsFocus, type BreweryPeer } from '../../harness/bridge-focus.js';
import { NdcMediaPeer, closeNdc } from '../../harness/ndc-media-peer.js';
import { transportParamsOf } from '../../harness/bridge-stack.js';
import { waitUntil } from '../../harness/wait-for.js';
import { nativeUdpAvailable } from '../../harness/udp-implementations.js';

const PASSWORD = 'bridge-pass-media';
const C2 = 'xmlns="jitsi:colibri2"';
const SSMA = 'xmlns="urn:xmpp:jingle:apps:rtp:ssma:0"';
const MEETING = 'media-1';
const PEERS = [
  { name: 'alice', audioSsrc: 1001, videoSsrc: 1002 },
  { name: 'bob', audioSsrc: 2001, videoSsrc: 2002 },
];

let prosody: Prosody;
let focus: BreweryPeer;
let bridge: BridgeProcess;
const peers = new Map<string, NdcMediaPeer>();

/** The peer's answer as the `<transport>` + `<sources>` update Jicofo sends after session-accept. */
function updateXml(ep: string, t: TransportParams, audio: number, video: number): string {
  const fp = t.fingerprints[0]!;
  const candidates = t.candidates
    .map(
      (c, i) =>
        `<candidate component="1" foundation="${i + 1}" generation="0" id="c${i}" ip="${c.address}" network="0" port="${c.port}" priority="${c.priority}" protocol="udp" type="${c.type}"/>`,
    )
    .join('');
  return `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="${ep}">
    <transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="${t.ufrag}" pwd="${t.pwd}"><rtcp-mux/>
      <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="${fp.hash}" setup="${fp.setup}">${fp.value}</fingerprint>${candidates}</transport></transport>
    <sources>
      <media-source type="audio" id="${ep}-a0"><source ${SSMA} ssrc="${audio}" name="${ep}-a0"/></media-source>
      <media-source type="video" id="${ep}-v0"><source ${SSMA} ssrc="${video}" name="${ep}-v0"/></media-source>
    </sources>
  </endpoint></conference-modify>`;
}

async function stats(): Promise<Record<string, number>> {
  return (await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as Record<string, number>;
}

async function forceMutedDrops(): Promise<number> {
  const text = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
  const m = /^convene_bridge_forwarder_packets_dropped_total\{reason="force_muted"\} (\d+)$/m.exec(text);
  return m === null ? 0 : Number(m[1]);
}

beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
  focus = await joinBreweryAsFocus(prosody);
  bridge = await BridgeProcess.start({ prosody, password: PASSWORD, videoWithoutConstraints: true });
  await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
});
afterAll(async () => {
  for (const p of peers.values()) p.close();
  closeNdc();
  await bridge?.close();
  await focus?.peer.close();
  await prosody?.close();
});

describe('Colibri2 to media (real Prosody, real bridge process, libdatachannel peers)', () => {
  it('connects two peers with the allocated transports, forwards RTP, and stops it on expire', async () => {
    for (const [i, p] of PEERS.entries()) {
      const create = `<conference-modify ${C2} meeting-id="${MEETING}" name="media@conference.meet.localhost"${i === 0 ? ' create="true"' : ''}>
        <endpoint id="${p.name}" create="true"><transport ice-controlling="true"/><capability name="source-names"/></endpoint></conference-modify>`;
      const answer = parseConferenceModified((await focus.iq('jvb1', create)).getChild('conference-modified')!);
      const other = PEERS.find((o) => o !== p)!;
      const { peer, remote } = await NdcMediaPeer.answer(transportParamsOf(answer.endpoints[0]!.transport!.ice!), {
        ...p,
        receive: [
          { ssrc: other.audioSsrc, kind: 'audio' },
          { ssrc: other.videoSsrc, kind: 'video' },
        ],
      });
      peers.set(p.name, peer);
      await focus.iq('jvb1', updateXml(p.name, remote, p.audioSsrc, p.videoSsrc));
    }
    const [alice, bob] = [peers.get('alice')!, peers.get('bob')!];
    await Promise.all([alice.opened(20_000), bob.opened(20_000)]);

    const sent = new Map<number, Buffer>();
    for (let seq = 0; seq < 20; seq++) {
      const payload = Buffer.concat([Buffer.from(`alice/${seq}/`), randomBytes(200)]);
      sent.set(seq, payload);
      expect(alice.send('video', seq, payload)).toBe(true);
      bob.send('audio', seq, randomBytes(40));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil('bob receives alice', () => bob.rtp.filter((r) => r.ssrc === 1002).length >= 20, 10_000);
    await waitUntil('alice receives bob', () => alice.rtp.filter((r) => r.ssrc === 2001).length >= 20, 10_000);
    for (const r of bob.rtp.filter((x) => x.ssrc === 1002)) expect(r.payload.equals(sent.get(r.seq)!)).toBe(true);
    const s = await stats();
    expect(s).toMatchObject({ conferences: 1, participants: 2 });
    expect(s.total_packets_received).toBeGreaterThan(40);
    // Each endpoint's downlink estimate: per endpoint in the debug stats, as a histogram in /metrics.
    const debug = (await (await fetch(`${bridge.httpUrl}/colibri/stats/debug`)).json()) as Record<
      string,
      Record<string, { bandwidth: { estimateBps: number } }>
    >;
    const conf = Object.values(debug)[0]!;
    expect(Object.keys(conf).sort()).toEqual(['alice', 'bob']);
    for (const ep of Object.values(conf)) expect(ep.bandwidth.estimateBps).toBeGreaterThan(0);
    const metrics = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^convene_bridge_endpoint_bandwidth_estimate_bits_per_second_count 2$/m);
    // The bridge's own delay (native socket: kernel receipt -> sent), one sample per packet forwarded so far.
    const delayCount = /^convene_bridge_forwarding_delay_seconds_count (\d+)$/m.exec(metrics);
    if (nativeUdpAvailable) {
      expect(Number(delayCount?.[1])).toBeGreaterThanOrEqual(40);
      const under100ms = /^convene_bridge_forwarding_delay_seconds_bucket\{le="0.1"\} (\d+)$/m.exec(metrics);
      expect(Number(under100ms?.[1])).toBeGreaterThan(0);
      // Of it, the wait in the socket: one sample per datagram read (media, RTCP, STUN, DTLS), so at least as many.
      const waitCount = /^convene_bridge_receive_wait_seconds_count (\d+)$/m.exec(metrics);
      expect(Number(waitCount?.[1])).toBeGreaterThanOrEqual(40);
    } else expect(delayCount).toBeNull();

    // Force-mute alice's video: the bridge drops it (and counts it) while bob's audio still reaches her.
    const forceMute = (video: boolean) =>
      focus.iq(
        'jvb1',
        `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="alice"><force-mute video="${video}"/></endpoint></conference-modify>`,
      );
    const videoFromAlice = () => bob.rtp.filter((r) => r.ssrc === 1002).length;
    const audioFromBob = () => alice.rtp.filter((r) => r.ssrc === 2001).length;
    await forceMute(true);
    const [videoBefore, audioBefore] = [videoFromAlice(), audioFromBob()];
    for (let seq = 20; seq < 30; seq++) {
      alice.send('video', seq, randomBytes(200));
      bob.send('audio', seq, randomBytes(40));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil('alice receives bob while muted', () => audioFromBob() >= audioBefore + 10, 10_000);
    await waitUntil('the bridge counts the muted packets', async () => (await forceMutedDrops()) >= 10, 10_000);
    expect(videoFromAlice()).toBe(videoBefore);
    await forceMute(false);
    for (let seq = 30; seq < 40; seq++) {
      alice.send('video', seq, randomBytes(200));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil('bob receives alice again', () => videoFromAlice() >= videoBefore + 10, 10_000);
    expect(bob.rtp.filter((r) => r.ssrc === 1002 && r.seq >= 20 && r.seq < 30)).toEqual([]);

    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="alice" expire="true"/></conference-modify>`,
    );
    expect(await stats()).toMatchObject({ conferences: 1, participants: 1, total_participants: 2 });
    const fromAlice = () => bob.rtp.filter((r) => r.ssrc === 1002).length;
    const before = fromAlice();
    // The bridge ends alice's DTLS session: her tracks close, so she cannot send into the conference any more.
    await waitUntil('alice closed by the bridge', () => !alice.video.isOpen() && !alice.audio.isOpen(), 10_000);
    expect(() => alice.send('video', 100, randomBytes(100))).toThrow(/closed/);
    // Bob keeps his session; nothing more of alice's reaches him.
    expect(bob.send('audio', 999, randomBytes(40))).toBe(true);
    expect(fromAlice()).toBe(before);

    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="bob" expire="true"/></conference-modify>`,
    );
    expect(await stats()).toMatchObject({ conferences: 0, participants: 0, total_conferences_completed: 1 });
  });
});
