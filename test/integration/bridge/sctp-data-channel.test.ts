// The bridge's SCTP data channel over its own DTLS (OpenSSL) with libdatachannel's usrsctp on the other end: the
// client opens the channel in-band (DCEP), the bridge ACKs it, and text flows both ways.
import { MediaServer, type Conference, type DataChannelLink, type Endpoint } from '@convene/bridge/conference';
import { NdcDataPeer } from '../../harness/ndc-data-peer.js';
import { closeNdc } from '../../harness/ndc-media-peer.js';
import { waitUntil } from '../../harness/wait-for.js';

describe('bridge SCTP data channel', () => {
  let server: MediaServer;
  let conference: Conference;
  let endpoint: Endpoint;
  let peer: NdcDataPeer;
  let link: DataChannelLink;
  const events: string[] = [];
  const messages: Array<string | Buffer> = [];

  beforeAll(async () => {
    server = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1', allowLocalCandidates: true });
    conference = server.createConference('sctp');
    endpoint = conference.createEndpoint('alice');
    link = endpoint.acceptSctp({
      onOpen: (label, protocol) => events.push(`open ${label} ${protocol}`),
      onMessage: (m) => messages.push(m),
      onClose: () => events.push('close'),
    });
    const answered = await NdcDataPeer.answer('alice', endpoint.localTransport());
    peer = answered.peer;
    endpoint.setRemoteTransport(answered.remote);
    peer.open();
    await peer.opened();
  });

  afterAll(() => {
    peer?.close();
    server?.close();
    closeNdc();
  });

  it('opens the channel the client asked for, with its label and protocol', async () => {
    await waitUntil('the bridge to see the open', () => link.open, 5_000);
    expect(events).toEqual(['open JVB data channel http://jitsi.org/protocols/colibri']);
  });

  it('carries text both ways (PPID 51), empty messages too (PPID 56)', async () => {
    peer.channel!.sendMessage('{"colibriClass":"ClientHello"}');
    peer.channel!.sendMessage('');
    await waitUntil('the bridge to get both', () => messages.length >= 2, 5_000);
    expect(messages).toEqual(['{"colibriClass":"ClientHello"}', '']);
    expect(link.send('{"colibriClass":"ServerHello"}')).toBe(true);
    await waitUntil('the client to get it', () => peer.received.length >= 1, 5_000);
    expect(peer.received).toEqual(['{"colibriClass":"ServerHello"}']);
  });

  it('carries a message larger than one SCTP chunk, reassembled', async () => {
    const big = 'x'.repeat(5_000);
    peer.channel!.sendMessage(big);
    expect(link.send(big)).toBe(true);
    await waitUntil('both sides to get it', () => messages.includes(big) && peer.received.includes(big), 5_000);
  });

  it('closes the channel when the bridge resets its stream', async () => {
    link.closeChannel();
    await waitUntil('the client to see its channel close', () => peer.closed, 5_000);
    expect(link.open).toBe(false);
    expect(events.at(-1)).toBe('close');
  });
});
