// A participant with real media: lib-jitsi-meet-style signalling (JitsiParticipant) plus a node-datachannel
// peer that answers the focus's Jingle offer through protocol/sdp, as a browser would, and sends RTP.
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { parse } from 'sdp-transform';
import type { Jingle } from '@convene/protocol/jingle';
import { jingleToSdp, sdpToJingle } from '@convene/protocol/sdp';
import type { Prosody } from '@convene/xmpp-server';
import { JitsiParticipant, JITSI_FEATURES } from './jitsi-participant.js';
import { buildRtp, type ReceivedRtp } from './ndc-media-peer.js';
import { waitUntil } from './wait-for.js';

const OPUS = 111;
const VP8 = 100;
/** Without SCTP: the bridge channel is not what these tests look at. */
const FEATURES = JITSI_FEATURES.filter((f) => f !== 'urn:xmpp:jingle:transports:dtls-sctp:1');

export class CallParticipant {
  readonly signalling: JitsiParticipant;
  readonly audioSsrc: number;
  readonly videoSsrc: number;
  readonly received: ReceivedRtp[] = [];
  pc: PeerConnection | undefined;
  #audio: Track | undefined;
  #video: Track | undefined;
  #tracks: Track[] = [];
  #seq = 0;

  private constructor(signalling: JitsiParticipant, base: number) {
    this.signalling = signalling;
    this.audioSsrc = base + 1;
    this.videoSsrc = base + 2;
  }

  static async join(prosody: Prosody, nick: string, room: string, base: number): Promise<CallParticipant> {
    const s = await JitsiParticipant.connect(prosody, nick, FEATURES);
    const p = new CallParticipant(s, base);
    const reply = await s.requestConference(room);
    if (!reply.ready) throw new Error(`${nick}: focus not ready`);
    await s.join(room);
    return p;
  }

  get nick(): string {
    return this.signalling.nick;
  }

  /** Waits for the session-initiate, answers it like a browser, and sends session-accept. */
  async answer(timeoutMs = 15_000): Promise<Jingle> {
    const { jingle } = await this.signalling.nextJingle('session-initiate', 0, timeoutMs);
    const offer = jingleToSdp(jingle);
    const media = parse(offer).media;
    const audioMid = String(media.find((m) => m.type === 'audio')?.mid);
    const videoMid = String(media.find((m) => m.type === 'video')?.mid);
    const pc = new nodeDataChannel.PeerConnection(this.nick, { iceServers: [], bindAddress: '127.0.0.1' });
    this.pc = pc;
    const audio = new nodeDataChannel.Audio(audioMid, 'SendRecv');
    audio.addOpusCodec(OPUS);
    audio.addSSRC(this.audioSsrc, `${this.nick}-a`, `${this.nick}-audio-0`, `${this.nick}-audio-0-1`);
    const video = new nodeDataChannel.Video(videoMid, 'SendRecv');
    video.addVP8Codec(VP8);
    video.addSSRC(this.videoSsrc, `${this.nick}-v`, `${this.nick}-video-0`, `${this.nick}-video-0-1`);
    this.#audio = pc.addTrack(audio);
    this.#video = pc.addTrack(video);
    for (const t of [this.#audio, this.#video]) this.#listen(t);
    pc.onTrack((t) => this.#listen(t));
    let gathered = false;
    pc.onGatheringStateChange((state) => (gathered ||= state === 'complete'));
    pc.setRemoteDescription(offer, 'offer');
    await waitUntil(`${this.nick} ICE gathering`, () => gathered && pc.localDescription() !== null, 5_000);
    const answer = sdpToJingle(pc.localDescription()!.sdp, { creator: 'responder' });
    // lib-jitsi-meet names sources <endpoint>-a0 / -v0.
    for (const c of answer.contents) {
      for (const s of c.description?.sources ?? []) s.name = `${this.nick}-${c.name === 'audio' ? 'a' : 'v'}0` as never;
    }
    const res = await this.signalling.send({ action: 'session-accept', sid: jingle.sid, ...answer });
    if (res.attrs.type !== 'result') throw new Error(`${this.nick}: session-accept refused: ${res.toString()}`);
    // Later sources arrive as source-add: renegotiate with the grown offer, as lib-jitsi-meet does.
    this.#offer = jingle;
    this.signalling.onJingle = (j) => {
      if (j.sid === jingle.sid && (j.action === 'source-add' || j.action === 'source-remove')) this.#apply(j);
    };
    for (const j of this.signalling.jingles) {
      if (j.jingle.sid === jingle.sid && j.jingle.action === 'source-add') this.#apply(j.jingle);
    }
    return jingle;
  }

  async connected(timeoutMs = 15_000): Promise<void> {
    await waitUntil(
      `${this.nick} media open`,
      () => this.#audio?.isOpen() === true && this.#video?.isOpen() === true,
      timeoutMs,
    );
  }

  /** Sends one audio and one video packet, each carrying its sender and sequence in the payload. */
  sendBoth(): void {
    const seq = this.#seq++;
    const payload = (kind: string) => Buffer.from(`${this.nick}:${kind}:${seq}:`.padEnd(160, '.'));
    // Before DTLS is done there is nothing to send on (a browser would not send yet either).
    if (this.#audio?.isOpen() === true)
      this.#audio.sendMessageBinary(buildRtp(OPUS, seq, this.audioSsrc, payload('a')));
    if (this.#video?.isOpen() === true) this.#video.sendMessageBinary(buildRtp(VP8, seq, this.videoSsrc, payload('v')));
  }

  receivedFrom(other: CallParticipant): ReceivedRtp[] {
    return this.received.filter((r) => r.payload.toString().startsWith(`${other.nick}:`));
  }

  #offer: Jingle | undefined;
  #version = 2;

  #apply(change: Jingle): void {
    const offer = this.#offer;
    if (offer === undefined || this.pc === undefined) return;
    const sources = new Map(offer.jsonSources ?? []);
    for (const [owner, set] of change.jsonSources ?? []) {
      if (change.action === 'source-add') sources.set(owner, set);
      else sources.delete(owner);
    }
    this.#offer = { ...offer, jsonSources: sources };
    this.pc.setRemoteDescription(jingleToSdp(this.#offer, { sessionVersion: ++this.#version }), 'offer');
  }

  #listen(t: Track): void {
    if (this.#tracks.includes(t)) return;
    this.#tracks.push(t);
    t.onMessage((m) => {
      if (m.length < 12 || (m[1]! >= 192 && m[1]! <= 223)) return; // RTCP
      this.received.push({
        ssrc: m.readUInt32BE(8),
        seq: m.readUInt16BE(2),
        pt: m[1]! & 0x7f,
        payload: Buffer.from(m.subarray(12)),
      });
    });
  }

  async close(): Promise<void> {
    this.pc?.close();
    await this.signalling.close();
  }
}
