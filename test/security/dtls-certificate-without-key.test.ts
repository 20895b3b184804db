// Threat (issue 12, item 1): an on-path party that answers first from an endpoint's selected address presents
// that endpoint's certificate, which travels in clear, without holding its key (no CertificateVerify). Before
// the bridge's DTLS moved to OpenSSL, it accepted Finished without CertificateVerify and handed the attacker the
// SRTP keys: every stream sent to that endpoint, and the power to inject media as it. Here the attack runs
// against a real bridge process (real Prosody, Colibri2, ICE) beside honest peers in the same conference.
import { randomBytes } from 'node:crypto';
import { parseConferenceModified } from '@convene/protocol/colibri2';
import { SRTP_AEAD_AES_128_GCM, createDtlsIdentity } from '@convene/bridge/dtls';
import type { BridgeLogLine } from '../harness/bridge-process.js';
import { startBridgeStack, transportParamsOf, type BridgeStack } from '../harness/bridge-stack.js';
import { RawMediaPeer, type RawMediaPeerOptions } from '../harness/media-raw-peer.js';
import { AttackerDtlsClient } from '../harness/dtls-attacker/attacker-client.js';
import { waitUntil } from '../harness/wait-for.js';

const PASSWORD = 'bridge-pass-dtls-attack';
const C2 = 'xmlns="jitsi:colibri2"';
const SSMA = 'xmlns="urn:xmpp:jingle:apps:rtp:ssma:0"';
const MEETING = 'dtls-attack';

let stack: BridgeStack;
const peers: RawMediaPeer[] = [];
let created = false;

/** Allocates endpoint `id` as the focus would, signals what `peer` says of itself, and lets it connect. */
async function join(id: string, audioSsrc: number, opts: RawMediaPeerOptions = {}): Promise<RawMediaPeer> {
  const create = `<conference-modify ${C2} meeting-id="${MEETING}" name="${MEETING}@conference.meet.localhost"${created ? '' : ' create="true"'}>
    <endpoint id="${id}" create="true"><transport ice-controlling="true"/><capability name="source-names"/></endpoint></conference-modify>`;
  created = true;
  const answer = parseConferenceModified((await stack.focus.iq('jvb1', create)).getChild('conference-modified')!);
  const peer = await RawMediaPeer.create(opts);
  peers.push(peer);
  const t = peer.transport();
  const fp = t.fingerprints[0]!;
  const cand = t.candidates[0]!;
  await stack.focus.iq(
    'jvb1',
    `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="${id}">
      <transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="${t.ufrag}" pwd="${t.pwd}"><rtcp-mux/>
        <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="${fp.hash}" setup="${fp.setup}">${fp.value}</fingerprint>
        <candidate component="1" foundation="1" generation="0" id="c1" ip="${cand.address}" network="0" port="${cand.port}" priority="${cand.priority}" protocol="udp" type="host"/></transport></transport>
      <sources><media-source type="audio" id="${id}-a0"><source ${SSMA} ssrc="${audioSsrc}" name="${id}-a0"/></media-source></sources>
    </endpoint></conference-modify>`,
  );
  peer.connect(transportParamsOf(answer.endpoints[0]!.transport!.ice!));
  return peer;
}

const dtlsOf =
  (endpointId: string, state: string) =>
  (l: BridgeLogLine): boolean =>
    l.msg === 'dtls state changed' && l.endpointId === endpointId && l.state === state;

/** An RTP packet of `ssrc` with a recognisable payload. */
function rtp(ssrc: number, seq: number, text: string): Buffer {
  const p = Buffer.concat([Buffer.alloc(12), Buffer.from(text), randomBytes(20)]);
  p[0] = 0x80;
  p[1] = 111;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(seq * 960, 4);
  p.writeUInt32BE(ssrc, 8);
  return p;
}

beforeAll(async () => {
  stack = await startBridgeStack(PASSWORD);
});
afterAll(async () => {
  for (const p of peers) p.close();
  await stack?.close();
});

describe('DTLS: a certificate without its key, or a fingerprint that is not yours', () => {
  it("refuses a client that presents the victim's certificate without CertificateVerify; honest peers talk on", async () => {
    const alice = await join('alice', 1001);
    await waitUntil('alice connected', () => alice.ready, 15_000);

    // The victim's certificate: public (it travels in clear in every handshake), its key out of reach.
    const victim = createDtlsIdentity('victim', [SRTP_AEAD_AES_128_GCM]);
    let attackerKeys = false;
    const mallory = await join('victim', 2001, {
      signalledFingerprint: victim.fingerprint,
      dtls: (deps) =>
        new AttackerDtlsClient({
          role: 'client',
          certificate: { der: victim.der, fingerprint: victim.fingerprint },
          remoteFingerprints: deps.remoteFingerprints,
          srtpProfiles: [SRTP_AEAD_AES_128_GCM],
          send: deps.send,
          onStateChange: deps.onStateChange,
          onKeys: () => (attackerKeys = true),
          handshakeTimeoutMs: 4_000,
        }),
    });
    // OpenSSL holds out for the CertificateVerify that never comes (the early ChangeCipherSpec and the Finished
    // behind it are not processed), so the attacker's handshake runs out of time without a key.
    await waitUntil('the attacker to get keys or give up', () => (attackerKeys ? 'keys' : mallory.dtlsError), 15_000);
    expect(attackerKeys).toBe(false);
    expect(mallory.dtlsError).toBe('handshake timeout');
    expect(mallory.ready).toBe(false);
    expect(stack.bridge.logs.some(dtlsOf('victim', 'connecting'))).toBe(true);
    expect(stack.bridge.logs.some(dtlsOf('victim', 'connected'))).toBe(false);

    // The honest call is untouched: bob joins, alice's audio reaches him, nothing reaches the attacker.
    const bob = await join('bob', 3001);
    await waitUntil('bob connected', () => bob.ready, 15_000);
    for (let seq = 0; seq < 20; seq++) {
      alice.sendRtp(rtp(1001, seq, `alice/${seq}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil('bob receives alice', () => bob.rtp.filter((p) => p.readUInt32BE(8) === 1001).length >= 20, 10_000);
    expect(mallory.received.rtp).toBe(0);
  });

  it('refuses a client whose own certificate does not match the fingerprint signalled for the endpoint', async () => {
    const someoneElse = createDtlsIdentity('someone-else');
    const eve = await join('eve', 4001, { signalledFingerprint: someoneElse.fingerprint });
    const refused = await stack.bridge.waitForLog('the bridge failing eve', dtlsOf('eve', 'failed'), 15_000);
    expect(String(refused.reason)).toMatch(/does not match the signalled fingerprint/);
    await waitUntil('eve told why', () => eve.dtlsError, 5_000);
    expect(eve.dtlsError).toMatch(/bad certificate/);
    expect(eve.ready).toBe(false);
  });
});
