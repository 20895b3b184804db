// A participant whose media is a RawMediaPeer (the bridge's own ICE/DTLS/SRTP pieces) behind lib-jitsi-meet-style
// signalling: unlike libdatachannel, its hang-up always puts a DTLS close_notify on the wire, at the moment the
// test chooses, as a browser closing its RTCPeerConnection does.
import type { Jingle, JingleContent } from '@convene/protocol/jingle';
import { toSourceName, toSsrc } from '@convene/protocol/lib';
import type { XmppServer } from '@convene/xmpp-server';
import { JitsiParticipant, JITSI_FEATURES } from './jitsi-participant.js';
import { RawMediaPeer } from './media-raw-peer.js';
import { waitUntil } from './wait-for.js';

/** No SCTP: the bridge channel is not what these tests look at. */
const FEATURES = JITSI_FEATURES.filter((f) => f !== 'urn:xmpp:jingle:transports:dtls-sctp:1');

export class RawCallParticipant {
  readonly signalling: JitsiParticipant;
  readonly audioSsrc: number;
  readonly videoSsrc: number;
  media: RawMediaPeer | undefined;
  /** Media that never answers the bridge's ICE checks (a peer behind a firewall that eats them). */
  silent = false;
  /** Video announced with an RTX partner (`videoSsrc + 5`) in a FID group, as browsers do. */
  videoRtx = false;
  #initIndex = -1;
  #seq = 0;

  private constructor(signalling: JitsiParticipant, base: number) {
    this.signalling = signalling;
    this.audioSsrc = base + 1;
    this.videoSsrc = base + 2;
  }

  /** Connects, asks for the conference and joins the room; `extraFeatures` are advertised besides the usual. */
  static async join(
    prosody: XmppServer,
    nick: string,
    room: string,
    base: number,
    extraFeatures: readonly string[] = [],
  ): Promise<RawCallParticipant> {
    const s = await JitsiParticipant.connect(prosody, nick, [...FEATURES, ...extraFeatures]);
    const p = new RawCallParticipant(s, base);
    const reply = await s.requestConference(room);
    if (!reply.ready) throw new Error(`${nick}: focus not ready`);
    await s.join(room);
    return p;
  }

  get nick(): string {
    return this.signalling.nick;
  }

  /** Waits for the (next) session-initiate, connects a fresh media peer to the bridge and sends session-accept. */
  async answer(timeoutMs = 15_000): Promise<Jingle> {
    const { jingle, index } = await this.signalling.nextJingle('session-initiate', this.#initIndex + 1, timeoutMs);
    this.#initIndex = index;
    const bridge = jingle.contents.find((c) => c.transport?.ufrag !== undefined)?.transport;
    if (bridge?.ufrag === undefined || bridge.pwd === undefined) throw new Error(`${this.nick}: offer without ICE`);
    this.media?.close();
    const media = await RawMediaPeer.create();
    media.answering = !this.silent;
    this.media = media;
    media.connect({
      ufrag: bridge.ufrag,
      pwd: bridge.pwd,
      fingerprints: bridge.fingerprints.map((f) => ({ hash: f.hash, value: f.value, setup: 'actpass' as const })),
      candidates: bridge.candidates.map((c) => ({ address: c.ip, port: c.port, priority: c.priority, type: c.type })),
    });
    const local = media.transport();
    const contents: JingleContent[] = jingle.contents.map((c) => {
      const kind = c.description?.media;
      const content: JingleContent = {
        creator: 'responder',
        name: c.name,
        senders: 'both',
        transport: {
          ufrag: local.ufrag,
          pwd: local.pwd,
          rtcpMux: true,
          fingerprints: local.fingerprints.map((f) => ({ hash: f.hash, value: f.value, setup: 'active' })),
          candidates: local.candidates.map((cand, i) => ({
            component: 1,
            foundation: String(i + 1),
            generation: 0,
            id: `c${i}`,
            ip: cand.address,
            network: 0,
            port: cand.port,
            priority: cand.priority,
            protocol: 'udp',
            type: 'host',
          })),
          webSockets: [],
        },
      };
      if (kind === 'audio' || kind === 'video') {
        const ssrc = toSsrc(kind === 'audio' ? this.audioSsrc : this.videoSsrc);
        const name = toSourceName(`${this.nick}-${kind === 'audio' ? 'a' : 'v'}0`);
        const msid = `${this.nick}-${kind}-0 track`;
        const rtx = kind === 'video' && this.videoRtx ? toSsrc(this.videoSsrc + 5) : undefined;
        content.description = {
          media: kind,
          payloadTypes: c.description?.payloadTypes ?? [],
          headerExtensions: [],
          rtcpFbs: [],
          extmapAllowMixed: false,
          rtcpMux: true,
          sources: [
            { ssrc, name, msid, parameters: [] },
            ...(rtx === undefined ? [] : [{ ssrc: rtx, name, msid, parameters: [] }]),
          ],
          ssrcGroups: rtx === undefined ? [] : [{ semantics: 'FID', ssrcs: [ssrc, rtx] }],
        };
      }
      return content;
    });
    const res = await this.signalling.send({
      action: 'session-accept',
      sid: jingle.sid,
      contents,
      groups: jingle.groups,
    });
    if (res.attrs.type !== 'result') throw new Error(`${this.nick}: session-accept refused: ${res.toString()}`);
    return jingle;
  }

  async connected(timeoutMs = 15_000): Promise<void> {
    await waitUntil(`${this.nick} media keyed`, () => this.media?.ready === true, timeoutMs);
  }

  /** Sends one audio packet (payload type 111, as the offer's Opus). */
  send(): void {
    if (this.media?.ready !== true) return;
    const seq = this.#seq++ & 0xffff;
    const rtp = Buffer.alloc(12 + 40);
    rtp[0] = 0x80;
    rtp[1] = 111;
    rtp.writeUInt16BE(seq, 2);
    rtp.writeUInt32BE(seq * 960, 4);
    rtp.writeUInt32BE(this.audioSsrc, 8);
    rtp.write(this.nick, 12);
    this.media.sendRtp(rtp);
  }

  /** Packets received from `other`'s audio SSRC. */
  receivedFrom(other: RawCallParticipant): number {
    return this.media?.rtp.filter((r) => r.readUInt32BE(8) === other.audioSsrc).length ?? 0;
  }

  /** Hangs up the media: DTLS close_notify goes to the bridge; signalling stays. */
  closeMedia(): void {
    const media = this.media;
    this.media = undefined;
    media?.close();
  }

  /** Hangs up and closes the XMPP connection (a closed tab: the server sends the unavailable presence). */
  async close(): Promise<void> {
    this.closeMedia();
    await this.signalling.close();
  }
}
