// A node-datachannel (libdatachannel, usrsctp) peer that answers a bridge offer with only the SCTP data channel:
// an independent SCTP and DCEP stack for the bridge's data channel, as a browser would open it.
import nodeDataChannel from 'node-datachannel';
import type { DataChannel, PeerConnection } from 'node-datachannel';
import type { TransportParams } from '@convene/bridge/conference';
import { parseAnswerTransport } from './ndc-media-peer.js';
import { waitUntil } from './wait-for.js';

/** The bridge's offer: one m=application for SCTP port 5000, as the focus's `data` content becomes in SDP. */
export function buildDataOffer(local: TransportParams): string {
  const fp = local.fingerprints[0]!;
  return [
    'v=0',
    'o=- 4611731400430051337 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    `a=ice-ufrag:${local.ufrag}`,
    `a=ice-pwd:${local.pwd}`,
    `a=fingerprint:${fp.hash} ${fp.value}`,
    `a=setup:${fp.setup}`,
    ...local.candidates.map((c, i) => `a=candidate:${i + 1} 1 udp ${c.priority} ${c.address} ${c.port} typ ${c.type}`),
    '',
  ].join('\r\n');
}

export class NdcDataPeer {
  readonly pc: PeerConnection;
  readonly received: string[] = [];
  channel: DataChannel | undefined;
  closed = false;

  private constructor(pc: PeerConnection) {
    this.pc = pc;
  }

  /** Answers the bridge's offer; the caller gives `remote` to the bridge endpoint. */
  static async answer(name: string, local: TransportParams): Promise<{ peer: NdcDataPeer; remote: TransportParams }> {
    const pc = new nodeDataChannel.PeerConnection(name, { iceServers: [], bindAddress: '127.0.0.1' });
    const peer = new NdcDataPeer(pc);
    let gathered = false;
    pc.onGatheringStateChange((s) => {
      if (s === 'complete') gathered = true;
    });
    pc.setRemoteDescription(buildDataOffer(local), 'offer');
    await waitUntil(`${name} ICE gathering`, () => gathered && pc.localDescription() !== null, 5_000);
    return { peer, remote: parseAnswerTransport(pc.localDescription()!.sdp) };
  }

  /** Opens the channel as lib-jitsi-meet does: in-band (DCEP), label `JVB data channel`, the colibri protocol. */
  open(label = 'JVB data channel'): DataChannel {
    const dc = this.pc.createDataChannel(label, { protocol: 'http://jitsi.org/protocols/colibri' });
    dc.onMessage((m) => {
      if (typeof m === 'string') this.received.push(m);
    });
    dc.onClosed(() => (this.closed = true));
    this.channel = dc;
    return dc;
  }

  async opened(timeoutMs = 15_000): Promise<void> {
    await waitUntil('data channel open', () => this.channel?.isOpen() === true, timeoutMs);
  }

  close(): void {
    this.channel?.close();
    this.pc.close();
  }
}
