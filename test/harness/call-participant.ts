// A participant with real media: lib-jitsi-meet-style signalling (JitsiParticipant) plus a node-datachannel
// peer (in an NdcHost child process) that answers the focus's Jingle offer through protocol/sdp, as a browser
// would, renegotiates on source-add, and sends RTP whose payload starts with its nick.
import { parse } from 'sdp-transform';
import type { Jingle } from '@convene/protocol/jingle';
import { jingleToSdp, sdpToJingle } from '@convene/protocol/sdp';
import type { XmppServer } from '@convene/xmpp-server';
import { JitsiParticipant, JITSI_FEATURES } from './jitsi-participant.js';
import type { NdcHost, NdcStats } from './ndc-host.js';
import { waitUntil } from './wait-for.js';

/** Without SCTP: the bridge has no SCTP data channel, and the bridge channel is not what these tests look at. */
const FEATURES = JITSI_FEATURES.filter((f) => f !== 'urn:xmpp:jingle:transports:dtls-sctp:1');

export class CallParticipant {
  readonly signalling: JitsiParticipant;
  readonly audioSsrc: number;
  readonly videoSsrc: number;
  readonly #host: NdcHost;
  #stats: NdcStats = { open: false, from: {} };
  /** Index (in the signalling log) of the session-initiate answered last. */
  #initIndex = -1;
  #offer: Jingle | undefined;
  #version = 2;

  private constructor(signalling: JitsiParticipant, host: NdcHost, base: number) {
    this.signalling = signalling;
    this.#host = host;
    this.audioSsrc = base + 1;
    this.videoSsrc = base + 2;
  }

  static async join(
    prosody: XmppServer,
    host: NdcHost,
    nick: string,
    room: string,
    base: number,
  ): Promise<CallParticipant> {
    const s = await JitsiParticipant.connect(prosody, nick, FEATURES);
    const p = new CallParticipant(s, host, base);
    const reply = await s.requestConference(room);
    if (!reply.ready) throw new Error(`${nick}: focus not ready`);
    await s.join(room);
    return p;
  }

  get nick(): string {
    return this.signalling.nick;
  }

  /** Waits for the (next) session-initiate, answers it like a browser, and sends session-accept. */
  async answer(timeoutMs = 15_000): Promise<Jingle> {
    const { jingle, index } = await this.signalling.nextJingle('session-initiate', this.#initIndex + 1, timeoutMs);
    this.#initIndex = index;
    const offer = jingleToSdp(jingle);
    const media = parse(offer).media;
    const answerSdp = await this.#host.request<string>({
      op: 'answer',
      id: this.nick,
      nick: this.nick,
      audioSsrc: this.audioSsrc,
      videoSsrc: this.videoSsrc,
      offer,
      audioMid: String(media.find((m) => m.type === 'audio')?.mid),
      videoMid: String(media.find((m) => m.type === 'video')?.mid),
    });
    const answer = sdpToJingle(answerSdp, { creator: 'responder' });
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
    for (const j of this.signalling.jingles.slice(index + 1)) {
      if (j.jingle.sid === jingle.sid && j.jingle.action === 'source-add') this.#apply(j.jingle);
    }
    return jingle;
  }

  /** Waits for the focus to end the current session (e.g. moving bridges); resolves with its reason text. */
  async terminated(timeoutMs = 10_000): Promise<string | undefined> {
    const { jingle } = await this.signalling.nextJingle('session-terminate', this.#initIndex + 1, timeoutMs);
    return jingle.reason?.text;
  }

  async connected(timeoutMs = 15_000): Promise<void> {
    await waitUntil(`${this.nick} media open`, async () => (await this.refresh()).open, timeoutMs);
  }

  /** Sends one audio and one video packet (nothing before DTLS is done, as a browser). */
  sendBoth(): void {
    this.#host.post({ op: 'send', id: this.nick });
  }

  /** Fetches what the peer has received so far; receivedFrom() reads the last fetch. */
  async refresh(): Promise<NdcStats> {
    this.#stats = await this.#host.request<NdcStats>({ op: 'stats', id: this.nick });
    return this.#stats;
  }

  receivedFrom(other: CallParticipant): { count: number; ssrcs: number[] } {
    return this.#stats.from[other.nick] ?? { count: 0, ssrcs: [] };
  }

  #apply(change: Jingle): void {
    const offer = this.#offer;
    if (offer === undefined) return;
    const sources = new Map(offer.jsonSources ?? []);
    for (const [owner, set] of change.jsonSources ?? []) {
      if (change.action === 'source-add') sources.set(owner, set);
      else sources.delete(owner);
    }
    this.#offer = { ...offer, jsonSources: sources };
    this.#host.post({
      op: 'renegotiate',
      id: this.nick,
      offer: jingleToSdp(this.#offer, { sessionVersion: ++this.#version }),
    });
  }

  async close(): Promise<void> {
    this.#host.post({ op: 'close', id: this.nick });
    await this.signalling.close();
  }
}

/** Sends from every participant, refreshes every receiver, then checks. */
export async function exchange(
  all: readonly CallParticipant[],
  senders: readonly CallParticipant[] = all,
): Promise<void> {
  for (const p of senders) p.sendBoth();
  await Promise.all(all.map((p) => p.refresh()));
}
