// An in-process bridge (MediaServer) with one conference of two raw SRTP peers, keyed both ways: a sender whose
// sources are signalled and a receiver. For tests that need exact bytes on the wire through real ICE/DTLS/SRTP.
import {
  MediaServer,
  SRTP_AEAD_AES_128_GCM,
  type Conference,
  type Endpoint,
  type SourceParams,
} from '@convene/bridge/conference';
import { RawMediaPeer } from './media-raw-peer.js';
import { waitUntil } from './wait-for.js';

export interface RawParty {
  peer: RawMediaPeer;
  ep: Endpoint;
}

export interface RawPair {
  server: MediaServer;
  sender: RawParty;
  receiver: RawParty;
  close(): void;
}

async function joinRaw(conference: Conference, name: string): Promise<RawParty> {
  const peer = await RawMediaPeer.create({ srtpProfiles: [SRTP_AEAD_AES_128_GCM] });
  const ep = conference.createEndpoint(name);
  peer.connect(ep.localTransport());
  ep.setRemoteTransport(peer.transport());
  return { peer, ep };
}

/** Starts the bridge (on the given socket) and both peers (AEAD_AES_128_GCM); waits until all four ends are keyed. */
export async function startRawPair(
  conferenceId: string,
  names: readonly [sender: string, receiver: string],
  senderSources: readonly SourceParams[],
  udpImplementation: 'node' | 'native' = 'node',
  /** Conference settings from the offer (header extensions, RTX), before anyone joins. */
  configure?: (conference: Conference) => void,
): Promise<RawPair> {
  const server = await MediaServer.create({
    port: 0,
    bindAddress: '127.0.0.1',
    allowLocalCandidates: true,
    srtpProfiles: [SRTP_AEAD_AES_128_GCM],
    udpImplementation,
  });
  const conference = server.createConference(conferenceId);
  configure?.(conference);
  const sender = await joinRaw(conference, names[0]);
  sender.ep.setSources(senderSources);
  const receiver = await joinRaw(conference, names[1]);
  await waitUntil('both keyed', () => sender.peer.ready && receiver.peer.ready, 20_000);
  await waitUntil('bridge keyed', () => sender.ep.dtlsState === 'connected' && receiver.ep.dtlsState === 'connected');
  return {
    server,
    sender,
    receiver,
    close() {
      sender.peer.close();
      receiver.peer.close();
      server.close();
    },
  };
}
