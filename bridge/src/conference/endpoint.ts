import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, TypedEmitter } from '@convene/protocol/lib';
import type { MediaKind } from '../forward/index.js';
import { dtlsRoleFor, type DtlsCounters, type DtlsState, type SrtpProfile } from '../dtls/index.js';
import type { IceCandidate, IceCounters, IceState } from '../ice/index.js';
import type { EndpointCounters, EndpointTransport } from '../pipeline/index.js';
import { SctpEndpoint } from '../sctp/index.js';
import { newChannelPassword, type ReceiverState } from './receiver-state.js';
import type { SourceParams, SsrcGroupParams, TransportParams } from './transport-params.js';

/**
 * Why an endpoint went. `expired`: the focus expired it; `hung up`: the peer sent DTLS close_notify, the normal
 * end of a call; `no ice connection`: ICE never connected in time; `ice failed` includes lost consent.
 */
export type EndpointCloseReason =
  'expired' | 'hung up' | 'no ice connection' | 'ice failed' | 'dtls failed' | 'conference expired' | 'server closed';

export type EndpointEvents = {
  icestatechange: [state: IceState];
  dtlsstatechange: [state: DtlsState];
  /** ICE selected a pair and DTLS finished: media flows. */
  connected: [];
  /** ICE (including consent, RFC 7675) or DTLS failed; `close` follows. A hang-up (close_notify) is no failure. */
  failed: [reason: string];
  /** The receiver's last-N or video constraints changed (bridge channel or Colibri2). */
  receiverchange: [];
  close: [reason: EndpointCloseReason];
  /**
   * The bridge's estimate of this endpoint's downlink (`bandwidthEstimate`, bps) moved by more than 15 % since
   * the last event; checked on the media timer (50 ms), so at most 20 events a second.
   */
  bandwidthestimate: [bps: number];
};

/** The downlink estimator as `/colibri/stats` shows it per endpoint. */
export interface BandwidthDebug {
  estimateBps: number;
  /** What the endpoint received over the last half second (null until measured). */
  ackedBps: number | null;
  usage: string;
  lossFraction: number;
  rttMs: number;
  feedback: number;
  probes: number;
  lastProbeBps: number;
}

/** What the pipeline reports to the endpoint that owns it. */
export interface TransportEvents {
  onIceState(state: IceState): void;
  onDtlsState(state: DtlsState, reason?: string): void;
  onBandwidthEstimate(bps: number): void;
  /** DTLS application data; false when this endpoint has no SCTP association. */
  onAppData(buf: Buffer): boolean;
}

/** Who hears the endpoint's one WebRTC data channel (the bridge channel over SCTP). */
export interface DataChannelHandlers {
  onOpen(label: string, protocol: string): void;
  onMessage(data: string | Buffer): void;
  onClose(): void;
}

/** The bridge's side of that data channel. */
export interface DataChannelLink {
  readonly open: boolean;
  /** Bytes queued in SCTP, not yet sent. */
  readonly bufferedAmount: number;
  send(text: string): boolean;
  /** Resets the channel's stream: the client sees its channel close. */
  closeChannel(): void;
}

/** What an endpoint tells the conference that owns it. */
export interface EndpointParent {
  readonly log: Logger | undefined;
  readonly conferenceId: string;
  /** An endpoint whose ICE has not connected this long after creation closes (`no ice connection`). */
  readonly connectTimeoutMs: number;
  readonly localCandidates: readonly IceCandidate[];
  readonly fingerprint: string;
  setSources(ep: Endpoint, sources: readonly SourceParams[], groups: readonly SsrcGroupParams[]): void;
  sourcesChanged(ep: Endpoint): void;
  setForceMuted(ep: Endpoint, kind: MediaKind, muted: boolean): void;
  isForceMuted(ep: Endpoint, kind: MediaKind): boolean;
  onEndpointClosed(ep: Endpoint, reason: EndpointCloseReason): void;
  setVideoType(ep: Endpoint, sourceName: string, videoType: string): void;
}

/** One participant of a conference: its media connection to the bridge and what it asked for as a receiver. */
export class Endpoint extends TypedEmitter<EndpointEvents> {
  readonly id: string;
  /** The owning conference's bridge-internal id (colibri-ws URLs). */
  readonly conferenceId: string;
  /** The colibri-ws password handed out with the endpoint. */
  readonly password = newChannelPassword();
  readonly createdAt = Date.now();
  /** Video types by source name, from the bridge channel (kept for this endpoint's own sources, a few others). */
  readonly videoTypes = new Map<string, string>();
  /** What the focus said of the endpoint: its stats id, Colibri2 capabilities, and whether it asked for SCTP. */
  statsId: string | undefined;
  capabilities: readonly string[] = [];
  sctp = false;
  readonly #receiver: ReceiverState = {};
  readonly #transport: EndpointTransport;
  readonly #parent: EndpointParent;
  readonly #log: Logger | undefined;
  readonly #connectTimer: NodeJS.Timeout;
  #closed = false;
  #sources: readonly SourceParams[] = [];
  #groups: readonly SsrcGroupParams[] = [];
  #remote: TransportParams | undefined;
  #sctp: SctpEndpoint | undefined;

  /** Created by `Conference.createEndpoint`, with the factory of its pipeline on the shared socket. */
  constructor(id: string, createTransport: (events: TransportEvents) => EndpointTransport, parent: EndpointParent) {
    super((err, event) => parent.log?.error({ err, event, endpointId: id }, 'endpoint listener threw'));
    this.id = id;
    this.#transport = createTransport({
      onIceState: (s) => this.reportIceState(s),
      onDtlsState: (s, reason) => this.reportDtlsState(s, reason),
      onBandwidthEstimate: (bps) => {
        if (!this.#closed) this.emit('bandwidthestimate', bps);
      },
      onAppData: (buf) => {
        if (this.#sctp === undefined) return false;
        this.#sctp.receive(buf);
        return true;
      },
    });
    this.#parent = parent;
    this.conferenceId = parent.conferenceId;
    this.#log = parent.log?.child({ endpointId: id });
    // Consent loss after connecting is ICE's own (RFC 7675); an endpoint that never connects is closed here.
    this.#connectTimer = setTimeout(() => {
      if (this.iceState !== 'connected') this.close('no ice connection');
    }, parent.connectTimeoutMs);
    this.#connectTimer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get iceState(): IceState {
    return this.#transport.ice.state;
  }

  get dtlsState(): DtlsState {
    return this.#transport.dtlsState;
  }

  /** The negotiated SRTP profile (RFC 5764 id), once DTLS finished. */
  get srtpProfile(): SrtpProfile | undefined {
    return this.#transport.srtpProfile;
  }

  /** ICE counters: checks sent and answered, bad integrity, role conflicts. */
  get iceCounters(): Readonly<IceCounters> {
    return this.#transport.ice.counters;
  }

  /** DTLS record counters: malformed, failed authentication, unexpected. */
  get dtlsCounters(): Readonly<DtlsCounters> | undefined {
    return this.#transport.dtlsCounters;
  }

  /**
   * What the bridge may send this endpoint, in bits per second: its send-side estimate from the endpoint's
   * transport-cc feedback (delay- and loss-based, raised by probes). 300 kbps until feedback says otherwise.
   */
  get bandwidthEstimate(): number {
    return this.#transport.downlink.bwe.estimateBps;
  }

  /** The estimator's inputs and state, for debug output (`/colibri/stats`). */
  get bandwidthDebug(): BandwidthDebug {
    const d = this.#transport.downlink;
    return {
      estimateBps: Math.round(d.bwe.estimateBps),
      ackedBps: Number.isNaN(d.bwe.ackedBps) ? null : Math.round(d.bwe.ackedBps),
      usage: d.bwe.usage,
      lossFraction: d.bwe.lossFraction,
      rttMs: Math.round(d.bwe.rttMs),
      feedback: d.feedbackIn,
      probes: d.bwe.probes.probesSent,
      lastProbeBps: Math.round(d.bwe.probes.lastResultBps),
    };
  }

  get counters(): Readonly<EndpointCounters> {
    return this.#transport.counters;
  }

  get sources(): readonly SourceParams[] {
    return this.#sources;
  }

  /** The SSRC groups (SIM, FID) signalled with the sources. */
  get sourceGroups(): readonly SsrcGroupParams[] {
    return this.#groups;
  }

  /** The names of this endpoint's video sources, in signalling order. */
  get videoSourceNames(): string[] {
    const names = new Set<string>();
    for (const s of this.#sources) if (s.kind === 'video' && s.name !== undefined) names.add(s.name);
    return [...names];
  }

  /** The peer's transport as last set; a trickled update without ufrag or fingerprint is merged into it. */
  get remoteTransport(): TransportParams | undefined {
    return this.#remote;
  }

  get receiver(): Readonly<ReceiverState> {
    return this.#receiver;
  }

  /** Merges a ReceiverVideoConstraints message (its known fields replace the stored ones). */
  setReceiverVideoConstraints(patch: Readonly<Record<string, unknown>>): void {
    this.#receiver.videoConstraints = { ...this.#receiver.videoConstraints, ...patch };
    if (typeof patch.lastN === 'number') this.#receiver.lastN = patch.lastN;
    this.emit('receiverchange');
  }

  /** Last-N from Colibri2 (`initial-last-n`) or the channel (LastNChangedEvent). */
  setLastN(lastN: number): void {
    this.#receiver.lastN = lastN;
    this.emit('receiverchange');
  }

  /** The bridge's side to signal to the peer: the bridge offers `actpass` and is ICE-controlling. */
  localTransport(): TransportParams {
    this.#assertOpen();
    const ice = this.#transport.ice.local;
    return {
      ufrag: ice.ufrag,
      pwd: ice.pwd,
      fingerprints: [{ hash: 'sha-256', value: this.#parent.fingerprint, setup: 'actpass' }],
      candidates: [...this.#parent.localCandidates],
    };
  }

  /** Sets the peer's transport; ICE checks start at once, DTLS once a pair is nominated. */
  setRemoteTransport(t: TransportParams): void {
    this.#assertOpen();
    if (t.ufrag === '' || t.pwd === '')
      throw new ProtocolError('bad-transport', `endpoint ${this.id}: empty ufrag or pwd`);
    if (t.fingerprints.length === 0) throw new ProtocolError('bad-transport', `endpoint ${this.id}: no fingerprint`);
    const role = dtlsRoleFor(t.fingerprints[0]!.setup);
    this.#transport.setRemote(
      { ufrag: t.ufrag, pwd: t.pwd },
      t.candidates,
      { role, fingerprints: t.fingerprints.map((f) => ({ hash: f.hash, value: f.value })) },
      Date.now(),
    );
    this.#remote = t;
    this.#log?.debug({ setup: t.fingerprints[0]!.setup, candidates: t.candidates.length }, 'remote transport set');
  }

  /**
   * Accepts an SCTP association over this endpoint's DTLS (the bridge is its server, port 5000) and the one data
   * channel the client opens on it. Once per endpoint; the association ends with the endpoint.
   */
  acceptSctp(handlers: DataChannelHandlers): DataChannelLink {
    this.#assertOpen();
    if (this.#sctp !== undefined) throw new InvalidStateError('sctp-accepted', `endpoint ${this.id}`);
    const sctp = new SctpEndpoint({
      counters: this.#transport.counters,
      write: (packet) => this.#transport.writeAppData(packet),
      onOpen: (label, protocol) => {
        this.#log?.info({ label, protocol }, 'data channel opened');
        handlers.onOpen(label, protocol);
      },
      onMessage: (data) => handlers.onMessage(data),
      onClose: () => {
        this.#log?.info('data channel closed');
        handlers.onClose();
      },
      onError: (err) => this.#log?.error({ err }, 'sctp handler failed'),
    });
    this.#sctp = sctp;
    return sctp;
  }

  /** Adds trickled remote candidates (Jingle transport-info); checks to them start on the next tick. */
  addRemoteCandidates(candidates: readonly IceCandidate[]): void {
    this.#assertOpen();
    for (const c of candidates) this.#transport.ice.addRemoteCandidate(c);
  }

  /** Replaces the SSRCs this endpoint sends (and their groups); throws ProtocolError when another endpoint owns one. */
  setSources(sources: readonly SourceParams[], groups: readonly SsrcGroupParams[] = []): void {
    this.#assertOpen();
    this.#parent.setSources(this, sources, groups);
    this.#sources = [...sources];
    this.#groups = groups.map((g) => ({ semantics: g.semantics, ssrcs: [...g.ssrcs] }));
    this.#parent.sourcesChanged(this);
  }

  /**
   * Force-mute (Colibri2 `force-mute`): the bridge drops this endpoint's media of that kind, whatever the client
   * does, until unmuted. Applies to sources signalled later too.
   */
  setForceMuted(kind: MediaKind, muted: boolean): void {
    this.#assertOpen();
    this.#parent.setForceMuted(this, kind, muted);
    this.#log?.info({ kind, muted }, 'force-mute changed');
  }

  isForceMuted(kind: MediaKind): boolean {
    return this.#parent.isForceMuted(this, kind);
  }

  /** SourceVideoTypeMessage (or VideoTypeMessage) for one of this endpoint's sources, already stored in videoTypes. */
  setVideoType(sourceName: string, videoType: string): void {
    if (!this.#closed) this.#parent.setVideoType(this, sourceName, videoType);
  }

  /** The pipeline this endpoint owns (for the conference and media server). */
  get transport(): EndpointTransport {
    return this.#transport;
  }

  /** @internal Called by the media server with state changes of the transport. */
  reportIceState(state: IceState): void {
    if (this.#closed) return;
    this.#log?.info({ state }, 'ice state changed');
    this.emit('icestatechange', state);
    if (state === 'failed') this.#fail('ice failed', 'ice failed');
  }

  /** @internal */
  reportDtlsState(state: DtlsState, reason?: string): void {
    if (this.#closed) return;
    this.#log?.info({ state, reason }, 'dtls state changed');
    this.emit('dtlsstatechange', state);
    if (state === 'connected') this.emit('connected');
    else if (state === 'failed') this.#fail(`dtls failed: ${reason ?? 'unknown'}`, 'dtls failed');
    else if (state === 'closed') this.close('hung up'); // close_notify: the peer left, nothing failed
  }

  #fail(reason: string, closeReason: EndpointCloseReason): void {
    this.#log?.warn({ reason }, 'endpoint failed');
    this.emit('failed', reason);
    this.close(closeReason);
  }

  /** Synchronous and idempotent: stops the transport, leaves the conference, emits `close` last. */
  close(reason: EndpointCloseReason = 'expired'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    this.#sctp?.close();
    this.#transport.close();
    this.#parent.onEndpointClosed(this, reason);
    this.#log?.info({ reason }, 'endpoint closed');
    this.emit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('closed', `endpoint ${this.id}`);
  }
}
