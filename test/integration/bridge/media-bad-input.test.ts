// Garbage on the shared port while a call runs: dropped, counted by reason, never forwarded, call unharmed.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import {
  MediaServer,
  SRTP_AES128_CM_HMAC_SHA1_80,
  type Conference,
  type Endpoint,
  type MediaServerDrops,
} from '@convene/bridge/conference';
import { STUN_BINDING_REQUEST, writeStun } from '@convene/bridge/ice';
import { RawMediaPeer } from '../../harness/media-raw-peer.js';
import { buildRtp, closeNdc, joinNdcPeer, type NdcMediaPeer } from '../../harness/ndc-media-peer.js';
import { waitUntil } from '../../harness/wait-for.js';
import { UDP_IMPLEMENTATIONS } from '../../harness/udp-implementations.js';

const PACKETS = 40;
const FLOOD = 500;
const BAD_STUN = 50;
const TAMPERED = 50;
const REPLAYED = 50;
const MALLORY_SSRC = 7000;

const serverDropTotal = (d: MediaServerDrops): number =>
  d.unknownProtocol + d.stunMalformed + d.stunUnknownUfrag + d.stunUnmatchedResponse + d.notSelectedAddress;

describe.each(UDP_IMPLEMENTATIONS)('bridge under bad input (udp %s)', (udp) => {
  let server: MediaServer;
  let conference: Conference;
  let alice: { peer: NdcMediaPeer; endpoint: Endpoint };
  let bob: { peer: NdcMediaPeer; endpoint: Endpoint };
  let mallory: RawMediaPeer;
  let malloryEp: Endpoint;
  let attacker: Socket;

  beforeAll(async () => {
    // AES_CM_128_HMAC_SHA1_80 only, so this file covers the profile the forwarding test does not.
    server = await MediaServer.create({
      port: 0,
      bindAddress: '127.0.0.1',
      allowLocalCandidates: true,
      srtpProfiles: [SRTP_AES128_CM_HMAC_SHA1_80],
      udpImplementation: udp,
    });
    expect(server.udpImplementation).toBe(udp);
    conference = server.createConference('bad-input');
    const a = await joinNdcPeer(conference, {
      name: 'alice',
      audioSsrc: 1,
      videoSsrc: 2,
      receive: [
        { ssrc: 3, kind: 'audio' },
        { ssrc: 4, kind: 'video' },
        { ssrc: MALLORY_SSRC, kind: 'audio' },
      ],
    });
    const b = await joinNdcPeer(conference, {
      name: 'bob',
      audioSsrc: 3,
      videoSsrc: 4,
      receive: [
        { ssrc: 1, kind: 'audio' },
        { ssrc: 2, kind: 'video' },
        { ssrc: MALLORY_SSRC, kind: 'audio' },
      ],
    });
    alice = { peer: a.peer, endpoint: a.endpoint as Endpoint };
    bob = { peer: b.peer, endpoint: b.endpoint as Endpoint };
    mallory = await RawMediaPeer.create({ srtpProfiles: [SRTP_AES128_CM_HMAC_SHA1_80] });
    malloryEp = conference.createEndpoint('mallory');
    malloryEp.setSources([{ ssrc: MALLORY_SSRC, kind: 'audio' }]);
    mallory.connect(malloryEp.localTransport());
    malloryEp.setRemoteTransport(mallory.transport());
    attacker = createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', r));
    await Promise.all([alice.peer.opened(20_000), bob.peer.opened(20_000)]);
    await waitUntil('mallory keyed', () => mallory.ready && malloryEp.dtlsState === 'connected', 20_000);
    expect(malloryEp.srtpProfile).toBe(SRTP_AES128_CM_HMAC_SHA1_80);
  });

  afterAll(() => {
    alice?.peer.close();
    bob?.peer.close();
    mallory?.close();
    attacker?.close();
    server?.close();
    closeNdc();
  });

  it('keeps the call whole while dropping and counting every bad datagram', async () => {
    const before = serverDropTotal(server.drops);
    const port = server.port;
    const aliceUfrag = alice.endpoint.localTransport().ufrag;
    let floodSent = 0;
    let tamperedSent = 0;
    let replayedSent = 0;
    for (let seq = 0; seq < PACKETS; seq++) {
      for (const kind of ['audio', 'video'] as const) {
        alice.peer.send(kind, seq, Buffer.from(`alice/${kind}/${seq}`));
        bob.peer.send(kind, seq, Buffer.from(`bob/${kind}/${seq}`));
      }
      // A legitimate packet from mallory, then its abuse from the same (selected) address.
      mallory.sendRtp(buildRtp(111, seq, MALLORY_SSRC, Buffer.from(`mallory/${seq}`)));
      const valid = mallory.lastProtected!;
      for (let i = 0; i < Math.ceil(TAMPERED / PACKETS) && tamperedSent < TAMPERED; i++, tamperedSent++) {
        const t = Buffer.from(valid);
        t.writeUInt16BE((seq + 1000 + i) & 0xffff, 2); // a fresh seq, so it is not a replay: authentication fails
        mallory.sendRaw(t);
      }
      for (let i = 0; i < Math.ceil(REPLAYED / PACKETS) && replayedSent < REPLAYED; i++, replayedSent++)
        mallory.sendRaw(valid);
      mallory.sendRaw(Buffer.concat([Buffer.from([22, 0xfe, 0xfd]), randomBytes(40)])); // DTLS junk
      for (let i = 0; i < FLOOD / PACKETS; i++, floodSent++)
        attacker.send(randomBytes(1 + ((seq * 37 + i * 101) % 1200)), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < BAD_STUN; i++) {
      const tid = randomBytes(12);
      // A check to alice's ufrag signed with the wrong password, and one to a ufrag nobody has.
      attacker.send(
        writeStun({
          type: STUN_BINDING_REQUEST,
          transactionId: tid,
          username: `${aliceUfrag}:x`,
          password: 'not-the-pwd',
        }),
        port,
        '127.0.0.1',
      );
      attacker.send(
        writeStun({ type: STUN_BINDING_REQUEST, transactionId: tid, username: 'nobody:x', password: 'x' }),
        port,
        '127.0.0.1',
      );
    }

    // The call: every packet arrives intact, mallory's legitimate ones included, none of the junk.
    for (const [me, other] of [
      [alice, 'bob'],
      [bob, 'alice'],
    ] as const) {
      await waitUntil(`${other}'s packets`, () => me.peer.rtp.length >= 2 * PACKETS + PACKETS, 10_000);
      const texts = me.peer.rtp.map((r) => r.payload.toString());
      expect(new Set(texts).size).toBe(3 * PACKETS);
      for (let seq = 0; seq < PACKETS; seq++) {
        expect(texts).toContain(`${other}/audio/${seq}`);
        expect(texts).toContain(`${other}/video/${seq}`);
        expect(texts).toContain(`mallory/${seq}`);
      }
    }
    // The books: each kind of junk counted under its reason.
    await waitUntil('drops counted', () => serverDropTotal(server.drops) - before >= floodSent + BAD_STUN, 5_000);
    expect(serverDropTotal(server.drops) - before).toBe(floodSent + BAD_STUN);
    expect(server.drops.stunUnknownUfrag).toBeGreaterThanOrEqual(BAD_STUN);
    await waitUntil('bad integrity counted', () => alice.endpoint.iceCounters.badIntegrity >= BAD_STUN, 5_000);
    expect(alice.endpoint.iceCounters.badIntegrity).toBe(BAD_STUN);
    expect(malloryEp.counters.dropSrtpAuth).toBe(TAMPERED);
    expect(malloryEp.counters.dropSrtpReplay).toBe(REPLAYED);
    expect(malloryEp.counters.rtpPacketsIn).toBe(PACKETS);
    // DTLS junk after the handshake reaches OpenSSL, which discards it: the association stays up.
    expect(malloryEp.dtlsCounters!.datagramsIn).toBeGreaterThanOrEqual(PACKETS);
    expect(malloryEp.dtlsState).toBe('connected');
    // The bridge's own RRs reach alice through SRTCP with AES_CM_128_HMAC_SHA1_80 (libsrtp decrypts them).
    await waitUntil(
      'an RR for alice',
      () => alice.peer.rtcp.some((p) => p[1] === 201 && p.length >= 32 && p.readUInt32BE(8) <= 2),
      5_000,
    );
    // alice's and bob's streams each go to two receivers, mallory's audio to two.
    expect(conference.counters.forwarding.rtpForwarded).toBe(2 * (2 * PACKETS) * 2 + PACKETS * 2);
  });
});
