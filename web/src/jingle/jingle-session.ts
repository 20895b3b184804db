import type { Jingle } from '@convene/protocol/jingle';
import { SerialQueue } from '@convene/protocol/lib';
import { RemoteOffer } from './remote-offer.js';
import { answerToJingle } from './local-answer.js';
import { DATA_CHANNEL_LABEL, DATA_CHANNEL_PROTOCOL } from '../media/bridge-channel.js';
import { mungeSimulcast, type SimulcastSsrcs } from '../media/simulcast.js';

export interface JingleSessionDeps {
  endpointId: string;
  /** Our own tracks (may have none of a kind). */
  localStream: MediaStream;
  /** Codec to send first, e.g. `vp8`. */
  preferredVideoCodec: string;
  /** Sends a Jingle IQ to the focus occupant; rejects on an error reply. */
  sendJingle(j: Jingle): Promise<void>;
  onRemoteTrack(owner: string, media: 'audio' | 'video', track: MediaStreamTrack): void;
  /** Open the bridge channel over SCTP when the offer has a `data` content (lib-jitsi-meet's preferSctp). */
  preferSctp: boolean;
  /**
   * How to reach the bridge channel, once the offer is known: the SCTP data channel opened on the new peer
   * connection (when offered and preferred), and the colibri-ws URL (when offered).
   */
  onBridgeChannel(ways: { dataChannel?: RTCDataChannel; url?: string }): void;
  onIceState(state: RTCIceConnectionState): void;
  /** STUN/TURN servers for a new peer connection (the XMPP server's, XEP-0215). */
  iceServers(): Promise<RTCIceServer[]>;
  /** `relay`: media only through TURN (`?iceTransportPolicy=relay`, for testing a TURN setup). */
  iceTransportPolicy: RTCIceTransportPolicy;
  /** The focus ended the session (a new session-initiate may follow), with its reason condition. */
  onTerminated(condition: string | undefined): void;
  onError(what: string, err: unknown): void;
  /** Our video sender, once negotiated (simulcast encodings are configured on it). */
  onVideoSender?(sender: RTCRtpSender): void;
}

/** Codecs sent as three SSRC-signalled simulcast encodings (VP9 and AV1 send one SVC encoding, no SIM group). */
const SIMULCAST_CODECS = new Set(['vp8', 'h264']);

const GATHERING_WAIT_MS = 1000;

/**
 * The one Jingle session with the focus (the bridge's media): we are always the SDP answerer. Every change
 * (initiate, source-add, source-remove, someone leaving) runs through one queue, so renegotiations never overlap.
 */
export class JingleSession {
  readonly #deps: JingleSessionDeps;
  readonly #queue = new SerialQueue();
  #offer: RemoteOffer | undefined;
  #pc: RTCPeerConnection | undefined;
  #closed = false;
  #bridgeSessionId: string | undefined;
  #lastRestart = 0;
  #simulcast: SimulcastSsrcs | undefined;

  constructor(deps: JingleSessionDeps) {
    this.#deps = deps;
  }

  get sid(): string | undefined {
    return this.#offer?.sid;
  }

  /** The peer connection, for stats (undefined before session-initiate). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#pc;
  }

  /** Handles one Jingle set from the focus (already acked). */
  handle(j: Jingle): void {
    const task = async () => {
      if (this.#closed) return;
      switch (j.action) {
        case 'session-initiate':
          return this.#initiate(j);
        case 'source-add':
          if (j.sid === this.sid && this.#offer?.addSources(j)) await this.#renegotiate();
          return;
        case 'source-remove':
          if (j.sid === this.sid && this.#offer?.removeSources(j)) await this.#renegotiate();
          return;
        case 'session-terminate':
          if (j.sid === this.sid) {
            this.#resetPeer();
            this.#deps.onTerminated(j.reason?.condition);
          }
          return;
        default:
          return;
      }
    };
    void this.#queue.run(task).catch((err: unknown) => this.#deps.onError(`jingle ${j.action}`, err));
  }

  /** Drops an endpoint's m-lines when it leaves the room (no source-remove comes, PROTOCOL.md §3.3). */
  removeEndpoint(owner: string): void {
    void this.#queue
      .run(async () => {
        if (!this.#closed && this.#offer?.removeOwner(owner)) await this.#renegotiate();
      })
      .catch((err: unknown) => this.#deps.onError('remove endpoint', err));
  }

  /** Sends `track` instead of the camera (screen share) without renegotiating; null sends nothing. */
  async replaceVideo(track: MediaStreamTrack | null): Promise<void> {
    const mid = this.#offer?.localMid('video');
    const t = this.#pc?.getTransceivers().find((x) => x.mid === mid);
    if (t !== undefined) await t.sender.replaceTrack(track);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resetPeer();
  }

  async #initiate(j: Jingle): Promise<void> {
    this.#resetPeer();
    const offer = new RemoteOffer(j, this.#deps.preferredVideoCodec);
    const iceServers = await this.#deps.iceServers();
    if (this.#closed) return;
    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceServers,
      iceTransportPolicy: this.#deps.iceTransportPolicy,
    });
    this.#offer = offer;
    this.#pc = pc;
    pc.addEventListener('track', (e: RTCTrackEvent) => {
      const o = offer.ownerOf(e.transceiver.mid);
      if (o !== undefined) this.#deps.onRemoteTrack(o.owner, o.media, e.track);
    });
    this.#bridgeSessionId = j.bridgeSession?.id;
    pc.addEventListener('iceconnectionstatechange', () => {
      this.#deps.onIceState(pc.iceConnectionState);
      if (pc.iceConnectionState === 'failed' && pc === this.#pc) this.#restart(j.sid);
    });
    const url = offer.transport.webSockets[0];
    const sctp = this.#deps.preferSctp && j.contents.some((c) => c.name === 'data' && c.transport?.sctpMap);
    // Created before the offer is applied, as lib-jitsi-meet does: the browser opens it (DCEP) once SCTP is up.
    const dataChannel = sctp
      ? pc.createDataChannel(DATA_CHANNEL_LABEL, { protocol: DATA_CHANNEL_PROTOCOL })
      : undefined;
    if (dataChannel !== undefined || url !== undefined)
      this.#deps.onBridgeChannel({
        ...(dataChannel !== undefined ? { dataChannel } : {}),
        ...(url !== undefined ? { url } : {}),
      });

    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp() });
    for (const media of ['audio', 'video'] as const) {
      const mid = offer.localMid(media);
      const t = pc.getTransceivers().find((x) => x.mid === mid);
      const track = this.#deps.localStream.getTracks().find((x) => x.kind === media);
      if (t === undefined) continue;
      if (track === undefined) {
        t.direction = 'recvonly';
        continue;
      }
      t.direction = 'sendrecv';
      await t.sender.replaceTrack(track);
      t.sender.setStreams(this.#deps.localStream);
      if (media === 'video') preferCodec(t, this.#deps.preferredVideoCodec);
    }
    await this.#setLocalAnswer(pc, offer);
    await gathered(pc, GATHERING_WAIT_MS);
    const local = pc.localDescription;
    if (local === null) throw new Error('no local description');
    const { contents, groups } = answerToJingle(local.sdp, this.#deps.endpointId);
    await this.#deps.sendJingle({ action: 'session-accept', sid: j.sid, contents, groups });
  }

  /**
   * ICE failed: ask the focus for a new session, as lib-jitsi-meet does (PROTOCOL.md §4.6); it answers with a
   * fresh session-initiate. At most one request per 10 s (the focus limits them too).
   */
  /** Starts over with a new session (what an ICE failure does); false when there is no session to restart. */
  restart(): boolean {
    const sid = this.sid;
    if (sid === undefined) return false;
    this.#lastRestart = 0;
    this.#restart(sid);
    return true;
  }

  #restart(sid: string): void {
    const id = this.#bridgeSessionId;
    if (id === undefined || Date.now() - this.#lastRestart < 10_000) return;
    this.#lastRestart = Date.now();
    const task = async () => {
      if (this.#closed || this.sid !== sid) return;
      this.#resetPeer();
      await this.#deps.sendJingle({
        action: 'session-terminate',
        sid,
        contents: [],
        groups: [],
        reason: { condition: 'connectivity-error', text: 'ICE FAILED' },
        bridgeSession: { id, restart: true },
      });
    };
    void this.#queue.run(task).catch((err: unknown) => this.#deps.onError('ICE restart', err));
  }

  async #renegotiate(): Promise<void> {
    const pc = this.#pc;
    const offer = this.#offer;
    if (pc === undefined || offer === undefined) return;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp() });
    await this.#setLocalAnswer(pc, offer);
  }

  /** Answers, with our video as three simulcast encodings when the codec takes them (same SSRCs every time). */
  async #setLocalAnswer(pc: RTCPeerConnection, offer: RemoteOffer): Promise<void> {
    const answer = await pc.createAnswer();
    const mid = offer.localMid('video');
    if (mid !== undefined && answer.sdp !== undefined && SIMULCAST_CODECS.has(this.#deps.preferredVideoCodec)) {
      const m = mungeSimulcast(answer.sdp, mid, this.#simulcast);
      answer.sdp = m.sdp;
      this.#simulcast ??= m.ssrcs;
    }
    await pc.setLocalDescription(answer);
    const sender = pc.getTransceivers().find((t) => t.mid === mid)?.sender;
    if (sender?.track != null) this.#deps.onVideoSender?.(sender);
  }

  #resetPeer(): void {
    this.#simulcast = undefined;
    this.#pc?.close();
    this.#pc = undefined;
    this.#offer = undefined;
  }
}

/** Puts the preferred codec (and its RTX) first, so the browser sends it. */
function preferCodec(t: RTCRtpTransceiver, name: string): void {
  const caps = RTCRtpReceiver.getCapabilities('video');
  if (caps === null || typeof t.setCodecPreferences !== 'function') return;
  const wanted = `video/${name}`.toLowerCase();
  const first = caps.codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  if (first.length === 0) return;
  t.setCodecPreferences([...first, ...caps.codecs.filter((c) => c.mimeType.toLowerCase() !== wanted)]);
}

/** Resolves when ICE gathering completes, or after `ms` (host candidates come in well under a second). */
function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      resolve();
    };
    const onChange = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', onChange);
  });
}
