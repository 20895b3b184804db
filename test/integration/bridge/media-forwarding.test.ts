// Real ICE/DTLS/SRTP from libdatachannel peers through the bridge on one UDP port, with the SRTP the bridge runs
// by default (the addon's when built): on the native socket each forwarded packet then leaves through sendSrtp.
import { randomBytes } from 'node:crypto';
import { MediaServer, SRTP_AEAD_AES_128_GCM, type Conference, type Endpoint } from '@convene/bridge/conference';
import { chooseSrtp } from '@convene/bridge/srtp';
import {
  AUDIO_PT,
  VIDEO_PT,
  buildPli,
  closeNdc,
  joinNdcPeer,
  type MediaStreamSpec,
  type NdcMediaPeer,
} from '../../harness/ndc-media-peer.js';
import { waitUntil } from '../../harness/wait-for.js';
import { UDP_IMPLEMENTATIONS } from '../../harness/udp-implementations.js';

const PACKETS_PER_STREAM = 30;

interface Member {
  name: string;
  conference: string;
  audioSsrc: number;
  videoSsrc: number;
  peer: NdcMediaPeer;
  endpoint: Endpoint;
  sent: Map<string, Buffer>;
}

const key = (ssrc: number, seq: number): string => `${ssrc}/${seq}`;

describe.each(UDP_IMPLEMENTATIONS)('bridge media forwarding (udp %s)', (udp) => {
  let server: MediaServer;
  const members: Member[] = [];
  const conferences = new Map<string, Conference>();

  beforeAll(async () => {
    server = await MediaServer.create({
      port: 0,
      bindAddress: '127.0.0.1',
      allowLocalCandidates: true,
      udpImplementation: udp,
      createSrtp: chooseSrtp('auto').create,
    });
    expect(server.udpImplementation).toBe(udp);
    const layout: Array<[string, string[]]> = [
      ['c1', ['alice', 'bob', 'carol']],
      ['c2', ['dave', 'erin']], // erin answers passive: the bridge is her DTLS client
    ];
    let ssrc = 1000;
    const plan = layout.flatMap(([conf, names]) => names.map((name) => ({ conf, name, a: ssrc++, v: ssrc++ })));
    for (const [conf] of layout) conferences.set(conf, server.createConference(conf));
    for (const p of plan) {
      const receive: MediaStreamSpec[] = plan
        .filter((o) => o.conf === p.conf && o !== p)
        .flatMap((o) => [
          { ssrc: o.a, kind: 'audio' as const },
          { ssrc: o.v, kind: 'video' as const },
        ]);
      const { peer, endpoint } = await joinNdcPeer(conferences.get(p.conf)!, {
        name: p.name,
        audioSsrc: p.a,
        videoSsrc: p.v,
        receive,
        bridgeDtlsClient: p.name === 'erin',
      });
      members.push({
        name: p.name,
        conference: p.conf,
        audioSsrc: p.a,
        videoSsrc: p.v,
        peer,
        endpoint: endpoint as Endpoint,
        sent: new Map(),
      });
    }
    await Promise.all(members.map((m) => m.peer.opened(20_000)));
    await waitUntil(
      'every endpoint connected',
      () => members.every((m) => m.endpoint.dtlsState === 'connected'),
      20_000,
    );
    // libdatachannel offers both profiles; the bridge prefers AEAD_AES_128_GCM as JVB does.
    expect(members.map((m) => m.endpoint.srtpProfile)).toEqual(members.map(() => SRTP_AEAD_AES_128_GCM));
    expect(members.find((m) => m.name === 'erin')!.peer.pc.localDescription()!.sdp).toContain('a=setup:passive');
  });

  afterAll(() => {
    for (const m of members) m.peer.close();
    server?.close();
    closeNdc();
  });

  it('delivers exactly the other members’ packets, byte-identical, and nothing across conferences', async () => {
    for (let seq = 0; seq < PACKETS_PER_STREAM; seq++) {
      for (const m of members) {
        for (const kind of ['audio', 'video'] as const) {
          const ssrc = kind === 'audio' ? m.audioSsrc : m.videoSsrc;
          const payload = Buffer.concat([
            Buffer.from(`${m.conference}/${m.name}/${kind}/${seq}/`),
            randomBytes(kind === 'audio' ? 40 : 900),
          ]);
          m.sent.set(key(ssrc, seq), payload);
          expect(m.peer.send(kind, seq, payload)).toBe(true);
        }
      }
      await new Promise((r) => setTimeout(r, 5)); // a modest rate: libdatachannel stalls as a receiver under floods
    }
    for (const m of members) {
      const others = members.filter((o) => o.conference === m.conference && o !== m);
      const expected = others.length * 2 * PACKETS_PER_STREAM;
      await waitUntil(`${m.name} to receive ${expected} packets`, () => m.peer.rtp.length >= expected, 10_000);
      const allowed = new Map<string, Buffer>();
      for (const o of others) for (const [k, v] of o.sent) allowed.set(k, v);
      for (const r of m.peer.rtp) {
        const sent = allowed.get(key(r.ssrc, r.seq));
        expect(sent).toBeDefined(); // never another conference's or its own packet
        expect(r.payload.equals(sent!)).toBe(true);
        expect(r.pt).toBe(others.some((o) => o.audioSsrc === r.ssrc) ? AUDIO_PT : VIDEO_PT);
      }
      expect(new Set(m.peer.rtp.map((r) => key(r.ssrc, r.seq))).size).toBe(expected);
    }
    // The bridge's own books agree: each endpoint sent out exactly its conference's share.
    for (const m of members) {
      const others = members.filter((o) => o.conference === m.conference && o !== m).length;
      expect(m.endpoint.counters.rtpPacketsIn).toBe(2 * PACKETS_PER_STREAM);
      expect(m.endpoint.counters.rtpPacketsOut).toBe(others * 2 * PACKETS_PER_STREAM);
    }
    expect(conferences.get('c1')!.counters.forwarding.rtpForwarded).toBe(3 * 2 * 2 * PACKETS_PER_STREAM);
    expect(conferences.get('c2')!.counters.forwarding.rtpForwarded).toBe(2 * 1 * 2 * PACKETS_PER_STREAM);
    expect(server.counters.forwarding.rtpForwarded).toBe((3 * 2 + 2 * 1) * 2 * PACKETS_PER_STREAM);
  });

  it('takes a receiver’s PLI to the sender of that video SSRC only', async () => {
    const [alice, bob, carol] = members;
    const pliFor = (m: Member): Buffer[] =>
      m.peer.rtcp.filter((p) => p[1] === 206 && (p[0]! & 0x1f) === 1 && p.readUInt32BE(8) === alice!.videoSsrc);
    expect(bob!.peer.sendRtcp(buildPli(bob!.videoSsrc, alice!.videoSsrc))).toBe(true);
    await waitUntil('alice to get the PLI', () => pliFor(alice!).length > 0, 5_000);
    expect(pliFor(carol!)).toHaveLength(0);
    expect(conferences.get('c1')!.counters.forwarding.keyframeRequestsForwarded).toBe(1);
  });

  it('sends each sender the bridge’s own receiver reports about its streams', async () => {
    const reportsAbout = (m: Member): Buffer[] =>
      m.peer.rtcp.filter(
        (p) => p[1] === 201 && p.length >= 32 && [m.audioSsrc, m.videoSsrc].includes(p.readUInt32BE(8)),
      );
    for (const m of members) await waitUntil(`an RR for ${m.name}`, () => reportsAbout(m).length > 0, 5_000);
    for (const m of members) {
      const rr = reportsAbout(m)[0]!;
      expect(rr[0]! & 0x1f).toBe(2); // one block per stream it sends
      expect(rr.readUInt32BE(12) & 0xffffff).toBe(0); // nothing lost on loopback
    }
  });

  it('passes a sender report on to the stream’s receivers without its report blocks', async () => {
    const [alice, bob, carol, dave] = members;
    const sr = Buffer.alloc(28 + 24);
    sr[0] = 0x81; // one report block, which the bridge must strip
    sr[1] = 200;
    sr.writeUInt16BE(sr.length / 4 - 1, 2);
    sr.writeUInt32BE(alice!.videoSsrc, 4);
    sr.writeUInt32BE(0xe1e2e3e4, 8); // NTP seconds
    sr.writeUInt32BE(0x01020304, 16); // RTP timestamp
    sr.writeUInt32BE(bob!.videoSsrc, 28);
    expect(alice!.peer.sendRtcp(sr)).toBe(true);
    const srsFrom = (m: Member): Buffer[] =>
      m.peer.rtcp.filter((p) => p[1] === 200 && p.readUInt32BE(4) === alice!.videoSsrc);
    for (const m of [bob!, carol!]) await waitUntil(`${m.name} to get the SR`, () => srsFrom(m).length > 0, 5_000);
    for (const m of [bob!, carol!]) {
      const got = srsFrom(m)[0]!;
      expect(got[0]! & 0x1f).toBe(0);
      expect(got.readUInt32BE(8)).toBe(0xe1e2e3e4);
      expect(got.readUInt32BE(16)).toBe(0x01020304);
    }
    expect(srsFrom(dave!)).toHaveLength(0);
    expect(srsFrom(alice!)).toHaveLength(0);
  });
});
