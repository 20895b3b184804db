import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { MediaSource } from '@convene/protocol/colibri2';
import {
  InvalidStateError,
  SerialQueue,
  type EndpointId,
  type MeetingId,
  type Ssrc,
  toSourceName,
} from '@convene/protocol/lib';
import { ColibriEndpoint, type EndpointExpireReason } from './colibri-endpoint.js';
import type { MediaConferencePort } from './media-port.js';

export interface ColibriConferenceDeps {
  log: Logger;
  endpointConnectTimeoutMs: number;
  idleTimeoutMs: number;
  onEndpointCreated(ep: ColibriEndpoint): void;
  onEndpointClosed(ep: ColibriEndpoint, reason: EndpointExpireReason): void;
  onClosed(c: ColibriConference): void;
}

/** A random SSRC for the bridge's own RTCP (never 0). */
function randomSsrc(): Ssrc {
  return ((randomBytes(4).readUInt32BE(0) % 0xfffffffe) + 1) as Ssrc;
}

/** One Colibri2 conference: its meeting id, the bridge-internal id used in colibri-ws URLs, and its endpoints. */
export class ColibriConference {
  /** Bridge-internal id (not the meeting id): the `<conference-id>` of colibri-ws URLs. */
  readonly id = randomBytes(8).toString('hex');
  readonly meetingId: MeetingId;
  readonly name: string;
  readonly media: MediaConferencePort;
  readonly queue = new SerialQueue();
  readonly createdAt = Date.now();
  /** The bridge's feedback sources, signalled with every create (PROTOCOL.md §5.3). */
  readonly feedbackSources: readonly MediaSource[];
  readonly #endpoints = new Map<string, ColibriEndpoint>();
  readonly #deps: ColibriConferenceDeps;
  readonly #log: Logger;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #batchDepth = 0;

  constructor(
    meetingId: MeetingId,
    name: string,
    mediaFactory: (id: string) => MediaConferencePort,
    deps: ColibriConferenceDeps,
  ) {
    this.meetingId = meetingId;
    this.name = name;
    this.#deps = deps;
    this.#log = deps.log.child({ conferenceId: this.id, meetingId, room: name });
    this.media = mediaFactory(this.id);
    const audio = toSourceName('jvb-a0');
    const video = toSourceName('jvb-v0');
    this.feedbackSources = [
      { type: 'audio', id: audio, sources: [{ ssrc: randomSsrc(), name: audio, parameters: [] }], groups: [] },
      { type: 'video', id: video, sources: [{ ssrc: randomSsrc(), name: video, parameters: [] }], groups: [] },
    ];
    this.#armIdleTimer();
    this.#log.info('conference created');
  }

  get closed(): boolean {
    return this.#closed;
  }

  get endpoints(): ReadonlyMap<string, ColibriEndpoint> {
    return this.#endpoints;
  }

  getEndpoint(id: string): ColibriEndpoint | undefined {
    return this.#endpoints.get(id);
  }

  /** Creates the media endpoint and its record; the caller applies transport and sources (and closes it on failure). */
  createEndpoint(id: EndpointId): ColibriEndpoint {
    if (this.#closed) throw new InvalidStateError('closed', `conference ${this.id}`);
    const media = this.media.createEndpoint(id);
    const ep = new ColibriEndpoint(id, this.id, media, {
      log: this.#log,
      connectTimeoutMs: this.#deps.endpointConnectTimeoutMs,
      onClosed: (e, reason) => this.#onEndpointClosed(e, reason),
    });
    this.#endpoints.set(id, ep);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#log.info({ endpointId: id }, 'endpoint created');
    this.#deps.onEndpointCreated(ep);
    return ep;
  }

  /**
   * Runs one request's changes; a conference the request empties expires at its end (expire A + create B in one
   * request is no empty conference). A request about endpoints that were already gone leaves it as it is.
   */
  batch<T>(fn: () => T): T {
    const before = this.#batchDepth === 0 ? this.#endpoints.size : 0;
    this.#batchDepth++;
    try {
      return fn();
    } finally {
      this.#batchDepth--;
      if (this.#batchDepth === 0 && before > 0 && this.#endpoints.size === 0 && !this.#closed) this.close();
    }
  }

  /** Expires every endpoint, then the media conference; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const ep of [...this.#endpoints.values()]) ep.close('conference expired');
    this.media.close();
    this.#deps.onClosed(this);
    this.#log.info({ durationMs: Date.now() - this.createdAt }, 'conference expired');
  }

  #onEndpointClosed(ep: ColibriEndpoint, reason: EndpointExpireReason): void {
    if (this.#endpoints.get(ep.id) !== ep) return;
    this.#endpoints.delete(ep.id);
    this.#deps.onEndpointClosed(ep, reason);
    // Endpoints that hang up (close_notify) or drop out by themselves do not end the conference: the focus still
    // expires them, and a conference it asks about must be there (JVB keeps endpoint-less conferences until its
    // expire thread finds them idle). Only a request that empties it ends it at once (batch).
    if (this.#endpoints.size === 0 && !this.#closed && this.#batchDepth === 0) this.#armIdleTimer();
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#endpoints.size === 0) this.close();
    }, this.#deps.idleTimeoutMs);
    this.#idleTimer.unref();
  }
}
