// A minimal lib-jitsi-meet page, bundled for the browser by ../ljm-page.ts: the usual flow of a Jitsi client
// (init, JitsiConnection over WebSocket, initJitsiConference, local camera and microphone, join), recording what
// the library reports in `window.ljm` for the tests. Query: `?room=<name>&name=<display name>`, and
// `&bridgeChannel=sctp` to choose the bridge channel as current lib-jitsi-meet does (see `preferSctp` below).
import * as LibJitsiMeet from '@lyno/lib-jitsi-meet/dist/JitsiMeetJS.js';

/** One thing the library reported, `t` ms after the page started. */
export interface LjmEvent {
  t: number;
  name: string;
  data?: Record<string, unknown>;
}

/** Per remote endpoint (MUC nick), summed over its inbound RTP streams on the bridge peer connection. */
export interface LjmInbound {
  framesDecoded: number;
  videoBytes: number;
  audioPackets: number;
}

/** What the tests read and drive. */
export interface LjmPageApi {
  events: LjmEvent[];
  /** Jingle IQs answered with type="error", either way. */
  jingleErrors: string[];
  /** The MUC nick once CONFERENCE_JOINED. */
  endpointId(): string | undefined;
  /** The meeting id the library read from the room's disco#info (muc#roominfo_meetingId), if any. */
  meetingId(): string | undefined;
  inbound(): Promise<Record<string, LjmInbound>>;
  /**
   * The highest bandwidth estimate toward the bridge seen so far (bits/s, candidate-pair availableOutgoingBitrate,
   * sampled every 250 ms from the page's start): a loaded test machine can pull the current one down again.
   */
  estimate(): number;
  /** The bridge session's sid, or undefined before session-initiate. */
  sessionId(): string | undefined;
  /** Whether the library counts this participant a moderator (MUC role, from owner affiliation). */
  isModerator(): boolean;
  /** SSRCs in the bridge peer connection's local and remote descriptions. */
  ssrcs(): { local: number[]; remote: number[] };
  /** How the library's bridge channel runs: `datachannel` or `websocket` (undefined before the offer). */
  bridgeChannelMode(): string | undefined;
  /** Sends an EndpointMessage over the bridge channel (`to` '' for everyone). */
  sendEndpointMessage(to: string, text: string): void;
  /** Terminates the bridge session asking for a new one (what the library does after an ICE failure). */
  restart(): void;
  leave(): Promise<void>;
  /** The ICE servers the library uses toward the bridge (from its XEP-0215 query). */
  iceServers(): RTCIceServer[];
  /** Candidate types (`host`, `srflx`, `relay`...) of the bridge connection's selected pair, local side first. */
  selectedPair(): Promise<{ local: string; remote: string } | undefined>;
  /** Asks the focus to mute another participant (jitsi-meet's "Mute" and "Stop video", for moderators). */
  muteParticipant(id: string, media: 'audio' | 'video'): void;
  /** Whether this page's own camera and microphone tracks are muted. */
  localMuted(): { audio: boolean | undefined; video: boolean | undefined };
}

declare global {
  interface Window {
    ljm?: LjmPageApi;
  }
}

// The few parts of the library's API this page uses.
interface Track {
  isLocal(): boolean;
  getType(): string;
  getParticipantId(): string;
  /** The 2021 library's name; current ones call it getSsrc. */
  getSSRC?(): number | undefined;
  getSsrc?(): number | null | undefined;
  attach(el: HTMLElement): void;
  isMuted(): boolean;
}
interface PeerConnectionWrapper {
  peerconnection: RTCPeerConnection;
  getRemoteTracks(): Track[];
}
interface JingleSession {
  sid: string;
  peerconnection?: PeerConnectionWrapper;
}
interface Conference {
  on(event: string, listener: (...args: never[]) => void): void;
  myUserId(): string;
  addTrack(track: Track): Promise<unknown>;
  setDisplayName(name: string): void;
  join(): void;
  leave(): Promise<unknown>;
  jvbJingleSession?: JingleSession | null;
  _restartMediaSessions(): void;
  sendEndpointMessage(to: string, payload: object): void;
  broadcastEndpointMessage(payload: object): void;
  rtc: { addListener(event: string, listener: (...args: never[]) => void): void; _channel?: { _mode?: string } | null };
  getMeetingUniqueId(): string | undefined;
  isModerator(): boolean | null;
  muteParticipant(id: string, mediaType: string): void;
  getLocalAudioTrack(): Track | null | undefined;
  getLocalVideoTrack(): Track | null | undefined;
}
interface StropheConnection {
  xmlInput(el: Element): void;
  xmlOutput(el: Element): void;
}
interface JinglePlugin {
  jvbIceConfig?: { iceServers?: RTCIceServer[] };
}
interface Connection {
  addEventListener(event: string, listener: (...args: never[]) => void): void;
  connect(credentials?: { id: string; password: string }): void;
  disconnect(): Promise<void>;
  initJitsiConference(room: string, options: object): Conference;
  xmpp?: { connection?: { _stropheConn?: StropheConnection; jingle?: JinglePlugin } };
}
interface JitsiMeetJS {
  init(options: object): void;
  setLogLevel(level: string): void;
  logLevels: { WARN: string };
  events: { connection: Record<string, string>; conference: Record<string, string> };
  JitsiConnection: new (appId: null, token: null, options: object) => Connection;
  createLocalTracks(options: { devices: string[] }): Promise<Track[]>;
}

// The package is tsc's CommonJS output: its `exports.default` is the JitsiMeetJS object.
const mod = LibJitsiMeet as unknown as { default: JitsiMeetJS & { default?: JitsiMeetJS } };
const J = mod.default.default ?? mod.default;

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'ljm';
const displayName = params.get('name') ?? 'ljm';
// `?relay=1`: media only through the TURN server (iceTransportPolicy 'relay'), as a client behind a strict firewall.
const relay = params.get('relay') === '1';
const domain = 'meet.localhost';
// Secure domain (jitsi-meet's hosts.anonymousdomain): `?guest=1` connects anonymously on the guest domain,
// `?login=user:password` logs in on the domain, as jitsi-meet's login dialog does.
const guest = params.get('guest') === '1';
const login = params.get('login') ?? '';
/**
 * Current lib-jitsi-meet (`bridgeChannel.preferSctp`, default true) takes the SCTP data channel whenever the offer
 * has a `data` content, even when it also carries a colibri-ws URL; this 2021 build takes the URL when there is one.
 * With `bridgeChannel=sctp` the page hides the URL from the library, so the library's own code opens its bridge
 * channel over SCTP as a current build would (PROTOCOL.md §7.1).
 */
const preferSctp = params.get('bridgeChannel') === 'sctp';
// `?startAudioMuted=N&startVideoMuted=N`: jitsi-meet's config of those names, which the library sends with its
// conference request (the focus then tells joiners beyond N to start muted).
const startMuted = Object.fromEntries(
  (['startAudioMuted', 'startVideoMuted'] as const).flatMap((k) => {
    const v = params.get(k);
    return v === null ? [] : [[k, Number(v)]];
  }),
);
const started = Date.now();
const events: LjmEvent[] = [];
const jingleErrors: string[] = [];
const record = (name: string, data?: Record<string, unknown>): void => {
  events.push(data === undefined ? { t: Date.now() - started, name } : { t: Date.now() - started, name, data });
};

J.init({});
J.setLogLevel(J.logLevels.WARN);

const connection = new J.JitsiConnection(null, null, {
  hosts: {
    domain,
    muc: `conference.${domain}`,
    focus: `focus.${domain}`,
    ...(guest ? { anonymousdomain: `guest.${domain}` } : {}),
  },
  serviceUrl: `ws://${location.host}/xmpp-websocket`,
  // npm's strophejs-plugin-stream-management 1.0.3 lacks the jitsi fork's isSupported(): XEP-0198 stays off.
  enableWebsocketResume: false,
  // The library keeps only TURN over TCP for the bridge unless told UDP relays are fine.
  useTurnUdp: true,
});
let conference: Conference | undefined;

// Jingle IQ errors: remember the ids of IQs carrying <jingle/>, either way, and flag an error answer to one.
const jingleIds = new Set<string>();
const watch = (el: Element, dir: 'in' | 'out'): void => {
  if (el.nodeName !== 'iq') return;
  // Strophe hands xmlInput the very element its handlers get next.
  if (dir === 'in' && preferSctp)
    for (const ws of [...el.getElementsByTagNameNS('http://jitsi.org/protocol/colibri', 'web-socket')]) ws.remove();
  const id = el.getAttribute('id') ?? '';
  if (el.getElementsByTagNameNS('urn:xmpp:jingle:1', 'jingle').length > 0) jingleIds.add(id);
  if (el.getAttribute('type') === 'error' && jingleIds.has(id))
    jingleErrors.push(`${dir}: ${new XMLSerializer().serializeToString(el)}`);
};
const strophe = connection.xmpp?.connection?._stropheConn;
if (strophe === undefined) record('xmpp-hook-failed');
else {
  strophe.xmlInput = (el) => watch(el, 'in');
  strophe.xmlOutput = (el) => watch(el, 'out');
}

const C = J.events.connection;
const F = J.events.conference;
const on = (name: string | undefined, listener: (...args: never[]) => void): void => {
  if (name !== undefined) conference?.on(name, listener);
};

async function joinConference(): Promise<void> {
  record('CONNECTION_ESTABLISHED');
  const conf = connection.initJitsiConference(room, {
    p2p: { enabled: false },
    openBridgeChannel: 'websocket',
    forceTurnRelay: relay,
    ...startMuted,
  });
  conference = conf;
  on(F.CONFERENCE_JOINED, () => record('CONFERENCE_JOINED', { id: conf.myUserId() }));
  on(F.CONFERENCE_FAILED, (e: string) => record('CONFERENCE_FAILED', { error: String(e) }));
  on(F.CONFERENCE_ERROR, (e: string) => record('CONFERENCE_ERROR', { error: String(e) }));
  on(F.USER_JOINED, (id: string) => record('USER_JOINED', { id }));
  on(F.DATA_CHANNEL_OPENED, () => record('DATA_CHANNEL_OPENED', { mode: conf.rtc._channel?._mode }));
  on(F.ENDPOINT_MESSAGE_RECEIVED, (from: { getId(): string }, payload: { text?: string }) =>
    record('ENDPOINT_MESSAGE_RECEIVED', { from: from.getId(), text: payload.text }),
  );
  conf.rtc.addListener('rtc.datachannel.ForwardedSources', (m: { forwardedSources?: string[] }) =>
    record('FORWARDED_SOURCES', { sources: m.forwardedSources ?? [] }),
  );
  on(F.USER_LEFT, (id: string) => record('USER_LEFT', { id }));
  on(F.STARTED_MUTED, () => record('STARTED_MUTED'));
  on(F.TRACK_ADDED, (track: Track) => {
    if (track.isLocal()) return;
    record('TRACK_ADDED', { type: track.getType(), id: track.getParticipantId(), ssrc: ssrcOf(track) });
    // Attached, as a client shows it (muted: headless Chromium plays nothing anyway).
    const el = document.createElement(track.getType() === 'video' ? 'video' : 'audio');
    el.autoplay = true;
    el.muted = true;
    document.body.appendChild(el);
    track.attach(el);
  });
  on(F.TRACK_MUTE_CHANGED, (track: Track) =>
    record('TRACK_MUTE_CHANGED', {
      type: track.getType(),
      local: track.isLocal(),
      id: track.isLocal() ? conf.myUserId() : track.getParticipantId(),
      muted: track.isMuted(),
    }),
  );
  on(F.TRACK_REMOVED, (track: Track) => {
    if (!track.isLocal()) record('TRACK_REMOVED', { type: track.getType(), id: track.getParticipantId() });
  });
  try {
    for (const track of await J.createLocalTracks({ devices: ['audio', 'video'] })) await conf.addTrack(track);
  } catch (err) {
    record('LOCAL_TRACKS_FAILED', { error: String(err) });
  }
  conf.setDisplayName(displayName);
  conf.join();
}

connection.addEventListener(C.CONNECTION_ESTABLISHED ?? '', () => void joinConference());
connection.addEventListener(C.CONNECTION_FAILED ?? '', (e: string) => record('CONNECTION_FAILED', { error: e }));
connection.addEventListener(C.CONNECTION_DISCONNECTED ?? '', () => record('CONNECTION_DISCONNECTED'));
if (login === '') connection.connect();
else {
  const colon = login.indexOf(':');
  connection.connect({ id: `${login.slice(0, colon)}@${domain}`, password: login.slice(colon + 1) });
}

const bridgePc = (): PeerConnectionWrapper | undefined => conference?.jvbJingleSession?.peerconnection;
const ssrcsOf = (sdp: string | undefined): number[] => [
  ...new Set([...(sdp ?? '').matchAll(/^a=ssrc:(\d+) /gm)].map((m) => Number(m[1]))),
];

let maxEstimate = 0;
setInterval(() => {
  void bridgePc()
    ?.peerconnection.getStats()
    .then((stats) =>
      stats.forEach((s: RTCStats) => {
        const pair = s as RTCIceCandidatePairStats;
        if (s.type === 'candidate-pair' && pair.nominated === true)
          maxEstimate = Math.max(maxEstimate, pair.availableOutgoingBitrate ?? 0);
      }),
    );
}, 250);

function ssrcOf(track: Track): number | undefined {
  return track.getSSRC?.() ?? track.getSsrc?.() ?? undefined;
}

window.ljm = {
  events,
  jingleErrors,
  endpointId: () => events.find((e) => e.name === 'CONFERENCE_JOINED')?.data?.id as string | undefined,
  meetingId: () => conference?.getMeetingUniqueId(),
  async inbound() {
    const tpc = bridgePc();
    if (tpc === undefined) return {};
    const owners = new Map<number, string>();
    for (const track of tpc.getRemoteTracks()) {
      const ssrc = ssrcOf(track);
      if (ssrc !== undefined) owners.set(ssrc, track.getParticipantId());
    }
    const out: Record<string, LjmInbound> = {};
    (await tpc.peerconnection.getStats()).forEach((s: RTCStats) => {
      if (s.type !== 'inbound-rtp') return;
      const rtp = s as RTCInboundRtpStreamStats;
      const owner = owners.get(rtp.ssrc);
      if (owner === undefined) return;
      const sum = (out[owner] ??= { framesDecoded: 0, videoBytes: 0, audioPackets: 0 });
      if (rtp.kind === 'video') {
        sum.framesDecoded += rtp.framesDecoded ?? 0;
        sum.videoBytes += rtp.bytesReceived ?? 0;
      } else sum.audioPackets += rtp.packetsReceived ?? 0;
    });
    return out;
  },
  estimate: () => maxEstimate,
  sessionId: () => conference?.jvbJingleSession?.sid,
  isModerator: () => conference?.isModerator() === true,
  ssrcs() {
    const pc = bridgePc()?.peerconnection;
    return { local: ssrcsOf(pc?.localDescription?.sdp), remote: ssrcsOf(pc?.remoteDescription?.sdp) };
  },
  bridgeChannelMode: () => conference?.rtc._channel?._mode,
  sendEndpointMessage(to, text) {
    if (to === '') conference?.broadcastEndpointMessage({ text });
    else conference?.sendEndpointMessage(to, { text });
  },
  restart() {
    record('RESTART_REQUESTED');
    conference?._restartMediaSessions();
  },
  iceServers: () => connection.xmpp?.connection?.jingle?.jvbIceConfig?.iceServers ?? [],
  async selectedPair() {
    const pc = bridgePc()?.peerconnection;
    if (pc === undefined) return undefined;
    const stats = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(String(s.id), s));
    const transport = [...stats.values()].find((s) => s.type === 'transport');
    const pair = stats.get(String(transport?.selectedCandidatePairId));
    if (pair === undefined) return undefined;
    const type = (id: unknown) => String(stats.get(String(id))?.candidateType);
    return { local: type(pair.localCandidateId), remote: type(pair.remoteCandidateId) };
  },
  muteParticipant(id, media) {
    conference?.muteParticipant(id, media);
  },
  localMuted: () => ({
    audio: conference?.getLocalAudioTrack()?.isMuted(),
    video: conference?.getLocalVideoTrack()?.isMuted(),
  }),
  async leave() {
    record('LEAVE_REQUESTED');
    await conference?.leave();
    record('CONFERENCE_LEFT');
    // Not awaited: with npm's stream-management plugin the library's DISCONNECTING handler throws
    // (getResumeToken is not a function), so its disconnect() promise never settles; the socket closes anyway.
    void connection.disconnect();
  },
};
