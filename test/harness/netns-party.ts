// One endpoint of an in-process bridge conference whose peer runs in a network namespace of its own: the namespace,
// the peer process, the bridge's endpoint, connected over real ICE/DTLS/SRTP.
import type { Conference, Endpoint } from '@convene/bridge/conference';
import { Netns, NetnsPeer } from './netns-peer.js';

export interface NetnsParty {
  ns: Netns;
  peer: NetnsPeer;
  ep: Endpoint;
}

/** Creates namespace `index`, starts its peer and connects it to a new endpoint `name` of `conference`. */
export async function joinFromNamespace(conference: Conference, name: string, index: number): Promise<NetnsParty> {
  const ns = new Netns(index);
  try {
    const peer = await NetnsPeer.start(ns);
    const ep = conference.createEndpoint(name);
    const transport = await peer.request<Parameters<Endpoint['setRemoteTransport']>[0]>({
      op: 'create',
      address: ns.address,
    });
    await peer.request({ op: 'connect', bridge: ep.localTransport() });
    ep.setRemoteTransport(transport);
    return { ns, peer, ep };
  } catch (err) {
    ns.remove();
    throw err;
  }
}
