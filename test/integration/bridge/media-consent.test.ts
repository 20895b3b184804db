// RFC 7675: a peer that stops answering loses consent, is reported failed, and leaves cleanly.
import { MediaServer, type Conference, type Endpoint } from '@convene/bridge/conference';
import { NodeSrtpTransform } from '@convene/bridge/srtp';
import { RawMediaPeer } from '../../harness/media-raw-peer.js';
import { buildRtp, closeNdc, joinNdcPeer, type NdcMediaPeer } from '../../harness/ndc-media-peer.js';
import { waitUntil } from '../../harness/wait-for.js';

const CONSENT_TIMEOUT_MS = 1_500;

describe('bridge consent freshness', () => {
  let server: MediaServer;
  let conference: Conference;
  let alice: { peer: NdcMediaPeer; endpoint: Endpoint };
  let ghost: RawMediaPeer;
  let ghostEp: Endpoint;
  let srtpContexts = 0;

  beforeAll(async () => {
    server = await MediaServer.create({
      port: 0,
      bindAddress: '127.0.0.1',
      allowLocalCandidates: true,
      ice: { consentTimeoutMs: CONSENT_TIMEOUT_MS },
      // The SRTP seam: a faster implementation plugs in here; this one only counts.
      createSrtp: (p) => {
        srtpContexts++;
        return new NodeSrtpTransform(p);
      },
    });
    conference = server.createConference('consent');
    const a = await joinNdcPeer(conference, {
      name: 'alice',
      audioSsrc: 1,
      videoSsrc: 2,
      receive: [{ ssrc: 9, kind: 'audio' }],
    });
    alice = { peer: a.peer, endpoint: a.endpoint as Endpoint };
    ghost = await RawMediaPeer.create();
    ghostEp = conference.createEndpoint('ghost');
    ghostEp.setSources([{ ssrc: 9, kind: 'audio' }]);
    ghost.connect(ghostEp.localTransport());
    ghostEp.setRemoteTransport(ghost.transport());
    await alice.peer.opened(20_000);
    await waitUntil('ghost keyed', () => ghost.ready && ghostEp.dtlsState === 'connected', 20_000);
    expect(srtpContexts).toBe(2);
  });

  afterAll(() => {
    alice?.peer.close();
    ghost?.close();
    server?.close();
    closeNdc();
  });

  it('reports a silent peer failed after the consent timeout and removes it', async () => {
    ghost.sendRtp(buildRtp(111, 1, 9, Buffer.from('before')));
    await waitUntil(
      'alice hears the ghost',
      () => alice.peer.rtp.some((r) => r.payload.toString() === 'before'),
      5_000,
    );
    const events: string[] = [];
    ghostEp.on('failed', (reason) => events.push(`failed:${reason}`));
    ghostEp.on('close', (reason) => events.push(`close:${reason}`));
    const removed = new Promise<void>((resolve) =>
      conference.on('endpointclosed', (ep) => ep === ghostEp && resolve()),
    );
    ghost.answering = false;
    await removed;
    expect(events).toEqual(['failed:ice failed', 'close:ice failed']);
    expect(ghostEp.closed).toBe(true);
    expect(conference.getEndpoint('ghost')).toBeUndefined();
    expect(() => ghostEp.setSources([])).toThrow(/^closed:/);
    // The rest of the conference goes on; the ghost's SSRC no longer routes anywhere.
    expect(alice.endpoint.closed).toBe(false);
    expect(alice.endpoint.iceState).toBe('connected');
    const before = alice.peer.rtp.length;
    const droppedBefore = server.drops.notSelectedAddress;
    ghost.sendRtp(buildRtp(111, 2, 9, Buffer.from('after')));
    await waitUntil('the bridge to drop it', () => server.drops.notSelectedAddress > droppedBefore, 5_000);
    expect(alice.peer.rtp.length).toBe(before);
  });

  it('keeps an answering peer connected past the consent timeout', async () => {
    // Consent checks go about every timeout/5: ten more answered means twice the timeout went by.
    const answered = alice.endpoint.iceCounters.checksAnswered;
    await waitUntil(
      'ten more consent checks',
      () => alice.endpoint.iceCounters.checksAnswered >= answered + 10,
      10_000,
    );
    expect(alice.endpoint.iceState).toBe('connected');
  });

  it('removes a peer that hangs up: a hang-up (close_notify) with no failure, or lost consent', async () => {
    const events: string[] = [];
    alice.endpoint.on('failed', (reason) => events.push(`failed:${reason}`));
    const closed = new Promise<string>((resolve) => alice.endpoint.on('close', resolve));
    alice.peer.close(); // libdatachannel may send close_notify; consent catches it otherwise
    const reason = await closed;
    expect(['hung up', 'ice failed']).toContain(reason);
    expect(events).toEqual(reason === 'hung up' ? [] : ['failed:ice failed']);
    expect(conference.endpoints.size).toBe(0);
  });
});
