import type { Element } from 'ltx';
import type { ChannelMessage } from '@convene/protocol/channel';
import { buildJingle, parseJingle, type Jingle } from '@convene/protocol/jingle';
import { NS_JINGLE, xmlElement } from '@convene/protocol/xml';
import type { RuntimeConfig } from './config/runtime-config.js';
import { XmppConnection } from './xmpp/xmpp-connection.js';
import { ConferenceRoom, newEndpointId, type LocalState } from './xmpp/conference-room.js';
import { NS_DISCO_INFO, buildDiscoInfo } from './xmpp/features.js';
import { IceServers } from './xmpp/ice-servers.js';
import { FocusMutes } from './xmpp/focus-mute.js';
import { describeJoinFailure, joinError } from './ui/join-errors.js';
import { requestOrLogIn } from './secure-start.js';
import { JingleSession } from './jingle/jingle-session.js';
import { BridgeLink, type BridgeLinkState } from './media/bridge-link.js';
import type { LocalMedia } from './media/local-media.js';
import { receivingFrom, sumInbound, type InboundStats, type RtcInbound } from './media/inbound-stats.js';
import { VideoQuality } from './media/video-quality.js';

export type { InboundStats } from './media/inbound-stats.js';
import { CallView } from './ui/call-view.js';

const LEVEL_INTERVAL_MS = 300;

export interface CallOptions {
  config: RuntimeConfig;
  room: string;
  displayName: string;
  media: LocalMedia;
  root: HTMLElement;
  /** Camera capture height (the top simulcast encoding). */
  captureHeight: number;
  /** Ask every source at this height instead of following the layout (`?receiveHeight=`). */
  receiveHeight?: number;
  /** At most this many videos (`?lastN=`). */
  lastN?: number;
  /** `relay`: media through the server's TURN only (`?iceTransportPolicy=relay`). */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** One call: XMPP connection, room, Jingle session, bridge channel and the view, wired together. */
export class Call {
  readonly endpointId = newEndpointId();
  /** Milestones in ms since the call started (performance.now based), for tests and curious people. */
  readonly timings: {
    xmppOnline?: number;
    roomJoined?: number;
    sessionInitiate?: number;
    sessionAccepted?: number;
    firstFrame?: number;
  } = {};
  readonly #startedAt = performance.now();
  /** The XMPP server's STUN/TURN servers (set once connected). */
  iceServers: IceServers | undefined;
  /** How many Jingle sessions this page accepted (more than one after a restart). */
  sessionsAccepted = 0;
  readonly #channel = new BridgeLink({
    onMessage: (m) => {
      if (m.colibriClass === 'DominantSpeakerEndpointChangeEvent') this.#view.setSpeaker(m.dominantSpeakerEndpoint);
      if (m.colibriClass === 'SenderSourceConstraints' && m.sourceName === `${this.endpointId}-v0`)
        this.quality.onSenderConstraints(m.maxHeight);
    },
    onStart: () => this.quality.update(true),
    endpointId: () => this.endpointId,
    sharingScreen: () => this.#screen !== undefined,
    ended: () => this.#ended,
  });
  readonly #o: CallOptions;
  readonly #view: CallView;
  readonly #abort = new AbortController();
  #conn: XmppConnection | undefined;
  #room: ConferenceRoom | undefined;
  #session: JingleSession | undefined;
  #state: LocalState;
  #levelTimer: ReturnType<typeof setInterval> | undefined;
  #ended = false;
  /** Media flows (ICE connected on the current session). */
  #mediaUp = false;
  /** The focus says it has no bridge for this conference. */
  #bridgeMissing = false;
  /** A media session ended under us (bridge lost, moved): the next one is a reconnection. */
  #mediaLost = false;
  #screen: MediaStreamTrack | undefined;
  /** What the focus says about our own media (focus-mute.ts). */
  readonly #mutes: FocusMutes;
  /** Remote track id -> endpoint id, for audio levels and stats. */
  readonly #trackOwner = new Map<string, string>();
  /** Receiver constraints out, sender constraints in. */
  readonly quality: VideoQuality;

  constructor(o: CallOptions) {
    this.#o = o;
    this.#state = { displayName: o.displayName, audioMuted: false, videoMuted: false };
    this.#view = new CallView(o.root, o.room, {
      toggleAudio: () => void this.#mutes.toggle('audio'),
      toggleVideo: () => void this.#mutes.toggle('video'),
      toggleScreen: () => void this.#toggleScreen().catch((err: unknown) => this.#report('screen share', err)),
      leave: () => void this.leave('You left the meeting.'),
      sendChat: (text) => void this.#room?.sendChat(text).catch((err: unknown) => this.#report('chat', err)),
    });
    this.#mutes = new FocusMutes({
      addresses: () => this.#room && { focus: this.#room.focusJid, self: `${this.#room.roomJid}/${this.#room.nick}` },
      isMuted: (media) => this.#state[media === 'audio' ? 'audioMuted' : 'videoMuted'],
      setMuted: (media, muted) => this.#setMuted(media, muted),
      stopScreen: () => {
        if (this.#screen === undefined) return false;
        void this.#toggleScreen().catch((err: unknown) => this.#report('screen share', err));
        return true;
      },
      notice: (text) => this.#view.notice(text),
    });
    const own = this.#view.tile(this.endpointId, `${o.displayName} (you)`, true);
    const video = o.media.stream.getVideoTracks()[0];
    if (video !== undefined) own.setTrack(video);
    own.setMuted(o.media.stream.getAudioTracks().length === 0, video === undefined);
    if (o.media.error !== undefined) this.#view.notice(o.media.error);
    this.quality = new VideoQuality({
      send: (m) => this.#channel.send(m),
      layout: () => ({ remotes: this.#view.remoteVideos() }),
      captureHeight: o.captureHeight,
      videoCodec: o.config.preferredVideoCodec,
      receiveHeight: o.receiveHeight,
      lastN: o.lastN,
      onError: (what, err) => this.#report(what, err),
    });
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.#session?.peerConnection;
  }

  /** What we receive from each endpoint still in the room, from getStats (inbound-rtp). */
  async inboundStats(): Promise<Record<string, InboundStats>> {
    const pc = this.#session?.peerConnection;
    if (pc === undefined) return {};
    return sumInbound(await pc.getStats(), (track) => {
      const owner = this.#trackOwner.get(track);
      return owner !== undefined && this.#view.hasTile(owner) ? owner : undefined;
    });
  }

  /** Asks the focus for a new media session, as after an ICE failure. */
  restartMedia(): boolean {
    return this.#session?.restart() ?? false;
  }

  /** Endpoints whose media the peer connection still receives (m-lines not yet inactive). */
  receivingFrom(): string[] {
    return receivingFrom(this.#session?.peerConnection, (id) => this.#trackOwner.get(id));
  }

  /** Connects, asks the focus for the room and joins it; media follows when the focus invites us. */
  async start(): Promise<void> {
    const { config, room } = this.#o;
    this.#view.status('Connecting…');
    try {
      // A secure domain's guests log in anonymously on its anonymous domain (jitsi-meet's hosts.anonymousdomain).
      const domain = config.anonymousDomain ?? config.domain;
      this.#conn = await XmppConnection.connect(config.websocketUrl, domain, (reason) =>
        this.#end(`Disconnected: ${reason}.`),
      );
    } catch (err) {
      this.#end(`The server is unreachable (${(err as Error).message ?? String(err)}).`);
      return;
    }
    const conn = this.#conn;
    this.#mark('xmppOnline');
    // Asked now, so the answer is in before the focus's session-initiate.
    const iceServers = new IceServers(conn, config.anonymousDomain ?? config.domain);
    this.iceServers = iceServers;
    void iceServers.get();
    const roomJid = `${room}@${config.mucDomain}`;
    const r = new ConferenceRoom(conn, roomJid, this.endpointId, this.#state, {
      onJoin: (o) => {
        const t = this.#view.tile(o.nick, o.displayName);
        t.setName(o.displayName); // the tile may predate the presence (media first)
        t.setMuted(o.audioMuted, o.videoMuted, o.screenSharing);
        this.#view.chat('', `${o.displayName} joined`);
      },
      onUpdate: (o) => {
        const t = this.#view.tile(o.nick, o.displayName);
        t.setName(o.displayName);
        t.setMuted(o.audioMuted, o.videoMuted, o.screenSharing);
      },
      onLeave: (nick) => {
        this.#view.removeTile(nick);
        this.quality.update();
        this.#session?.removeEndpoint(nick);
      },
      onChat: (nick, text) => {
        const who =
          nick === this.endpointId ? 'You' : (r.occupants().find((o) => o.nick === nick)?.displayName ?? nick);
        this.#view.chat(who, text, nick === this.endpointId);
      },
      onError: (condition) => this.#end(joinError(condition)),
      onFocus: (bridgeNotAvailable) => {
        if (bridgeNotAvailable === this.#bridgeMissing) return;
        this.#bridgeMissing = bridgeNotAvailable;
        this.#showMediaState();
      },
    });
    this.#room = r;
    this.#session = new JingleSession({
      endpointId: this.endpointId,
      localStream: this.#o.media.stream,
      preferredVideoCodec: config.preferredVideoCodec,
      sendJingle: async (j) => {
        await this.#sendJingle(j);
        if (j.action !== 'session-accept') return;
        this.#mark('sessionAccepted');
        this.sessionsAccepted++;
      },
      onTerminated: (condition) => {
        // Alone for too long (the focus's single-participant timeout) or moved: a new session-initiate follows.
        this.#channel.close();
        this.#mediaUp = false;
        this.#mediaLost = condition !== 'expired';
        this.#view.clearRemoteMedia();
        this.#showMediaState();
      },
      onVideoSender: (sender) => this.quality.setSender(sender),
      onRemoteTrack: (owner, media, track) => {
        if (!this.#view.hasTile(owner) && r.occupants().every((o) => o.nick !== owner)) return; // already left
        const tile = this.#view.tile(owner);
        tile.setTrack(track);
        if (media === 'video' && this.timings.firstFrame === undefined)
          tile.video.addEventListener('loadeddata', () => this.#mark('firstFrame'), { once: true });
        this.#trackOwner.set(track.id, owner);
        this.quality.update();
      },
      preferSctp: config.preferSctp,
      onBridgeChannel: ({ dataChannel, url }) => {
        if (dataChannel !== undefined) this.#channel.useDataChannel(dataChannel, url);
        else if (url !== undefined) this.#channel.useWebSocket(url);
      },
      onIceState: (state) => {
        this.#mediaUp = state === 'connected' || state === 'completed';
        if (this.#mediaUp) {
          this.#mediaLost = false;
          this.#showMediaState();
        } else if (state === 'failed') this.#view.status('Media connection failed', 'error');
        else if (state === 'disconnected') this.#view.status('Media connection interrupted…', 'error');
      },
      iceServers: () => iceServers.get(),
      iceTransportPolicy: this.#o.iceTransportPolicy ?? 'all',
      onError: (what, err) => this.#report(what, err),
    });
    conn.onIqGet(NS_DISCO_INFO, 'query', (_s, q) => buildDiscoInfo(q));
    conn.onIqSet(NS_JINGLE, 'jingle', (stanza, el) => this.#onJingle(stanza, el));
    this.#mutes.listen(conn);
    try {
      this.#view.status('Waiting for the focus…');
      await requestOrLogIn(r, config, this.#o.root, this.#abort.signal, (t) => this.#view.status(t));
      await r.join();
      this.#mark('roomJoined');
      this.#showMediaState();
    } catch (err) {
      this.#end(`Could not join: ${describeJoinFailure(err)}`);
      return;
    }
    this.#levelTimer = setInterval(() => void this.#updateLevels(), LEVEL_INTERVAL_MS);
  }

  async leave(message = 'You left the meeting.'): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#room?.leave();
    } catch (err) {
      this.#report('leave', err);
    }
    this.#end(message);
  }

  #onJingle(stanza: Element, el: Element): void {
    if (this.#room === undefined || stanza.attrs.from !== this.#room.focusJid) return;
    let j: Jingle;
    try {
      j = parseJingle(el);
    } catch (err) {
      this.#report('bad jingle', err);
      return;
    }
    if (j.action === 'session-initiate') {
      const first = this.timings.sessionInitiate === undefined;
      this.#mark('sessionInitiate');
      if (first) this.#mutes.startMuted(j.startMuted);
    }
    this.#session?.handle(j);
  }

  async #sendJingle(j: Jingle): Promise<void> {
    const to = this.#room?.focusJid;
    if (this.#conn === undefined || to === undefined) return;
    await this.#conn.request(xmlElement('iq', { type: 'set', to, id: `j${Date.now()}` }, [buildJingle(j)]));
  }

  /** The bridge channel as the page saw it: its transport once a message came, what came over it. */
  get bridgeChannel(): Readonly<BridgeLinkState> {
    return this.#channel.state;
  }

  /** Sends one message on the bridge channel (an EndpointMessage to others, say); false when there is none. */
  sendBridgeMessage(m: ChannelMessage): boolean {
    return this.#channel.send(m);
  }

  /** Screen share replaces the camera on the same source (no renegotiation), as `-v0` with videoType desktop. */
  async #toggleScreen(): Promise<void> {
    const camera = this.#o.media.stream.getVideoTracks()[0] ?? null;
    const own = this.#view.tile(this.endpointId);
    if (this.#screen !== undefined) {
      const screen = this.#screen;
      this.#screen = undefined;
      screen.stop();
      await this.#session?.replaceVideo(this.#state.videoMuted ? null : camera);
      if (camera !== null) own.setTrack(camera);
    } else {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const screen = stream.getVideoTracks()[0];
      if (screen === undefined) return;
      this.#screen = screen;
      screen.addEventListener('ended', () => {
        if (this.#screen === screen) void this.#toggleScreen().catch((err: unknown) => this.#report('screen', err));
      });
      await this.#session?.replaceVideo(screen);
      own.setTrack(screen);
    }
    const sharing = this.#screen !== undefined;
    this.#state = { ...this.#state, screenSharing: sharing };
    this.#view.setSharing(sharing);
    own.setMuted(this.#state.audioMuted, this.#state.videoMuted, sharing);
    this.#channel.send({
      colibriClass: 'SourceVideoTypeMessage',
      sourceName: `${this.endpointId}-v0`,
      videoType: sharing ? 'desktop' : 'camera',
    });
    await this.#room?.update(this.#state);
  }

  #setMuted(media: 'audio' | 'video', muted: boolean): void {
    for (const t of this.#o.media.stream.getTracks()) if (t.kind === media) t.enabled = !muted;
    this.#state = { ...this.#state, [media === 'audio' ? 'audioMuted' : 'videoMuted']: muted };
    this.#view.setLocalMuted(this.#state.audioMuted, this.#state.videoMuted);
    this.#view.tile(this.endpointId).setMuted(this.#state.audioMuted, this.#state.videoMuted);
    void this.#room?.update(this.#state).catch((err: unknown) => this.#report('presence', err));
  }

  async #updateLevels(): Promise<void> {
    const pc = this.#session?.peerConnection;
    if (pc === undefined) return;
    const stats = await pc.getStats();
    stats.forEach((s: RtcInbound) => {
      if (s.type === 'media-source' && s.kind === 'audio')
        this.#view.tile(this.endpointId).setLevel(this.#state.audioMuted ? 0 : (s.audioLevel ?? 0));
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || s.trackIdentifier === undefined) return;
      const owner = this.#trackOwner.get(s.trackIdentifier);
      if (owner !== undefined && this.#view.hasTile(owner)) this.#view.tile(owner).setLevel(s.audioLevel ?? 0);
    });
  }

  #end(message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#abort.abort();
    clearInterval(this.#levelTimer);
    this.quality.close();
    this.#channel.close();
    this.#screen?.stop();
    this.#session?.close();
    for (const t of this.#o.media.stream.getTracks()) t.stop();
    void this.#conn?.close().catch((err: unknown) => console.debug('closing the XMPP connection failed', err));
    this.#view.ended(message);
  }

  /** The status line from what we know of the media: flowing, no bridge, lost and coming back, or not yet. */
  #showMediaState(): void {
    if (this.#ended || this.timings.roomJoined === undefined) return;
    if (this.#bridgeMissing) this.#view.status('No media server available; waiting for one…', 'error');
    else if (this.#mediaUp) this.#view.status('Connected');
    else if (this.#mediaLost) this.#view.status('Reconnecting…', 'error');
    else this.#view.status('Joined; waiting for others');
  }

  #mark(what: keyof Call['timings']): void {
    this.timings[what] ??= Math.round(performance.now() - this.#startedAt);
  }

  #report(what: string, err: unknown): void {
    console.error(`convene: ${what}`, err);
  }
}
