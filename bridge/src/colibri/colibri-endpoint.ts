import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { ForceMute, MediaSource } from '@convene/protocol/colibri2';
import type { EndpointId } from '@convene/protocol/lib';
import type { MediaEndpointPort, MediaTransport } from './media-port.js';

const PASSWORD_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** JVB's colibri-ws password: 24 random `[A-Za-z0-9]`, fixed for the endpoint's lifetime (ColibriWebSocketPassword.kt). */
export function newChannelPassword(): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)];
  return s;
}

/** What the bridge channel told us about the endpoint; stored now, acted on by the media core later. */
export interface ChannelState {
  lastN?: number;
  receiverVideoConstraints?: Readonly<Record<string, unknown>>;
  videoTypes: Map<string, string>;
}

/**
 * Why an endpoint went. `hung up` (DTLS close_notify) is a normal end, like `expired`; `no ice connection` and
 * `ice failed` are ICE failures, `dtls failed` a DTLS one; `media closed` is the media core's own close.
 */
export type EndpointExpireReason =
  'expired' | 'hung up' | 'no ice connection' | 'ice failed' | 'dtls failed' | 'media closed' | 'conference expired';

const MEDIA_REASONS: ReadonlyMap<string, EndpointExpireReason> = new Map([
  ['hung up', 'hung up'],
  ['ice failed', 'ice failed'],
  ['dtls failed', 'dtls failed'],
] as const);

export interface ColibriEndpointDeps {
  log: Logger;
  connectTimeoutMs: number;
  onClosed(ep: ColibriEndpoint, reason: EndpointExpireReason): void;
}

/** One Colibri2 endpoint: the signalling record around the media core's endpoint. */
export class ColibriEndpoint {
  readonly id: EndpointId;
  readonly conferenceId: string;
  readonly password = newChannelPassword();
  readonly media: MediaEndpointPort;
  readonly channel: ChannelState = { videoTypes: new Map() };
  readonly createdAt = Date.now();
  statsId: string | undefined;
  capabilities: readonly string[] = [];
  forceMute: Required<ForceMute> = { audio: false, video: false };
  sources: readonly MediaSource[] = [];
  /** The peer's transport as last given to the media core; trickled updates are merged into it. */
  remoteTransport: MediaTransport | undefined;
  /** The endpoint asked for an SCTP data channel. */
  sctp = false;
  readonly #deps: ColibriEndpointDeps;
  readonly #closeListeners = new Set<(reason: EndpointExpireReason) => void>();
  readonly #connectTimer: NodeJS.Timeout;
  #closed = false;

  constructor(id: EndpointId, conferenceId: string, media: MediaEndpointPort, deps: ColibriEndpointDeps) {
    this.id = id;
    this.conferenceId = conferenceId;
    this.media = media;
    this.#deps = deps;
    // Consent loss after connecting is the media core's (RFC 7675); an endpoint that never connects is ours.
    this.#connectTimer = setTimeout(() => {
      if (media.iceState !== 'connected') this.close('no ice connection');
    }, deps.connectTimeoutMs);
    this.#connectTimer.unref();
    media.on('close', (reason) => this.close(MEDIA_REASONS.get(reason) ?? 'media closed'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The bridge channel's ReceiverVideoConstraints (validated by channel/) reach the media core. */
  applyReceiverConstraints(patch: Readonly<Record<string, unknown>>): void {
    if (!this.#closed) this.media.setReceiverConstraints?.(patch);
  }

  applyVideoType(sourceName: string, videoType: string): void {
    if (!this.#closed) this.media.setVideoType?.(sourceName, videoType);
  }

  /** Called once when the endpoint goes, whatever closed it; returns the unsubscribe function. */
  onClose(fn: (reason: EndpointExpireReason) => void): () => void {
    this.#closeListeners.add(fn);
    return () => void this.#closeListeners.delete(fn);
  }

  /** Synchronous and idempotent: stops the media endpoint, leaves the conference, tells listeners. */
  close(reason: EndpointExpireReason = 'expired'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    if (!this.media.closed) this.media.close();
    this.#deps.onClosed(this, reason);
    this.#deps.log.info({ endpointId: this.id, reason }, 'endpoint expired');
    for (const fn of this.#closeListeners) {
      try {
        fn(reason);
      } catch (err) {
        this.#deps.log.error({ err }, 'endpoint close listener threw');
      }
    }
    this.#closeListeners.clear();
  }
}
