import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, TypedEmitter } from '@convene/protocol/lib';
import type { MediaKind } from '../forward/index.js';
import { dtlsRoleFor, type DtlsCounters, type DtlsState, type SrtpProfile } from '../dtls/index.js';
import type { IceCandidate, IceCounters, IceState } from '../ice/index.js';
import type { EndpointCounters, EndpointTransport } from '../pipeline/index.js';
import type { SourceParams, TransportParams } from './transport-params.js';
import type { ConstraintsPatch } from '../allocation/index.js';

/** `hung up`: the peer sent DTLS close_notify, the normal end of a call; `ice failed` includes lost consent. */
export type EndpointCloseReason =
  'expired' | 'hung up' | 'ice failed' | 'dtls failed' | 'conference closed' | 'server closed';

export type EndpointEvents = {
  icestatechange: [state: IceState];
  dtlsstatechange: [state: DtlsState];
  /** ICE selected a pair and DTLS finished: media flows. */
  connected: [];
  /** ICE (including consent, RFC 7675) or DTLS failed; `close` follows. A hang-up (close_notify) is no failure. */
  failed: [reason: string];
  close: [reason: EndpointCloseReason];
};

/** What the pipeline reports to the endpoint that owns it. */
export interface TransportEvents {
  onIceState(state: IceState): void;
  onDtlsState(state: DtlsState, reason?: string): void;
}

/** What an endpoint tells the conference that owns it. */
export interface EndpointParent {
  readonly log: Logger | undefined;
  readonly localCandidates: readonly IceCandidate[];
  readonly fingerprint: string;
  setSources(ep: Endpoint, sources: readonly SourceParams[]): void;
  setForceMuted(ep: Endpoint, kind: MediaKind, muted: boolean): void;
  isForceMuted(ep: Endpoint, kind: MediaKind): boolean;
  setReceiverConstraints(ep: Endpoint, patch: ConstraintsPatch): void;
  setBandwidthEstimate(ep: Endpoint, bps: number | undefined): void;
  setVideoType(ep: Endpoint, sourceName: string, videoType: string): void;
  onEndpointClosed(ep: Endpoint): void;
}

/** One participant's media connection to the bridge. */
export class Endpoint extends TypedEmitter<EndpointEvents> {
  readonly id: string;
  readonly #transport: EndpointTransport;
  readonly #parent: EndpointParent;
  readonly #log: Logger | undefined;
  #closed = false;
  #sources: readonly SourceParams[] = [];

  /** Created by `Conference.createEndpoint`, with the factory of its pipeline on the shared socket. */
  constructor(id: string, createTransport: (events: TransportEvents) => EndpointTransport, parent: EndpointParent) {
    super((err, event) => parent.log?.error({ err, event, endpointId: id }, 'endpoint listener threw'));
    this.id = id;
    this.#transport = createTransport({
      onIceState: (s) => this.reportIceState(s),
      onDtlsState: (s, reason) => this.reportDtlsState(s, reason),
    });
    this.#parent = parent;
    this.#log = parent.log?.child({ endpointId: id });
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

  get counters(): Readonly<EndpointCounters> {
    return this.#transport.counters;
  }

  get sources(): readonly SourceParams[] {
    return this.#sources;
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
    this.#log?.debug({ setup: t.fingerprints[0]!.setup, candidates: t.candidates.length }, 'remote transport set');
  }

  /** Adds trickled remote candidates (Jingle transport-info); checks to them start on the next tick. */
  addRemoteCandidates(candidates: readonly IceCandidate[]): void {
    this.#assertOpen();
    for (const c of candidates) this.#transport.ice.addRemoteCandidate(c);
  }

  /** Replaces the SSRCs this endpoint sends; throws ProtocolError when another endpoint owns one. */
  setSources(sources: readonly SourceParams[]): void {
    this.#assertOpen();
    this.#parent.setSources(this, sources);
    this.#sources = [...sources];
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

  /** A ReceiverVideoConstraints message from this endpoint's bridge channel (absent fields unchanged). */
  setReceiverConstraints(patch: ConstraintsPatch): void {
    if (!this.#closed) this.#parent.setReceiverConstraints(this, patch);
  }

  /** LastNChangedEvent. */
  setLastN(lastN: number): void {
    this.setReceiverConstraints({ lastN });
  }

  /** SourceVideoTypeMessage (or the Colibri2 source's videoType) for one of this endpoint's sources. */
  setVideoType(sourceName: string, videoType: string): void {
    if (!this.#closed) this.#parent.setVideoType(this, sourceName, videoType);
  }

  /** This endpoint's downlink estimate in bps (#15 feeds it); undefined: none, allocation unlimited. */
  setBandwidthEstimate(bps: number | undefined): void {
    if (!this.#closed) this.#parent.setBandwidthEstimate(this, bps);
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
    this.#transport.close();
    this.#parent.onEndpointClosed(this);
    this.#log?.info({ reason }, 'endpoint closed');
    this.emit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('closed', `endpoint ${this.id}`);
  }
}
