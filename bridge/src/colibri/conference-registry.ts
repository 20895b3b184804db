import type { Logger } from 'pino';
import type { MeetingId } from '@convene/protocol/lib';
import { ColibriConference } from './colibri-conference.js';
import type { ColibriEndpoint, EndpointExpireReason } from './colibri-endpoint.js';
import type { MediaPort } from './media-port.js';
import type { VideoEvent } from '../conference/index.js';

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A media event as the bridge-channel message JVB sends for it (PROTOCOL.md §7.4). */
export function videoEventMessage(e: VideoEvent): Record<string, JsonValue> {
  switch (e.type) {
    case 'forwardedsources':
      return { colibriClass: 'ForwardedSources', forwardedSources: [...e.sources] };
    case 'dominantspeaker':
      return {
        colibriClass: 'DominantSpeakerEndpointChangeEvent',
        dominantSpeakerEndpoint: e.endpointId,
        previousSpeakers: [...e.previous],
        silence: false,
      };
    case 'senderconstraints':
      return { colibriClass: 'SenderSourceConstraints', sourceName: e.sourceName, maxHeight: e.maxHeight };
  }
}

export interface ConferenceRegistryOptions {
  media: MediaPort;
  log: Logger;
  endpointConnectTimeoutMs: number;
  conferenceIdleTimeoutMs: number;
}

/** Counters that only go up (JVB `total_*`). */
export interface RegistryTotals {
  conferencesCreated: number;
  conferencesCompleted: number;
  conferenceSeconds: number;
  endpointsCreated: number;
  /** Endpoints that ended normally: expired by the focus or with their conference, or hung up (close_notify). */
  endpointsExpired: number;
  /** Of those, the ones whose peer hung up (DTLS close_notify). */
  endpointsHungUp: number;
  /** Endpoints whose ICE never connected, or failed later (consent lost): JVB's total_ice_failed. */
  endpointsIceFailed: number;
  /** Endpoints whose DTLS failed (handshake, fingerprint, a fatal alert): JVB's dtls_failed_endpoints. */
  endpointsDtlsFailed: number;
}

/** Every conference on this bridge, by meeting id and by bridge-internal id. */
export class ConferenceRegistry {
  readonly totals: RegistryTotals = {
    conferencesCreated: 0,
    conferencesCompleted: 0,
    conferenceSeconds: 0,
    endpointsCreated: 0,
    endpointsExpired: 0,
    endpointsHungUp: 0,
    endpointsIceFailed: 0,
    endpointsDtlsFailed: 0,
  };
  readonly #opts: ConferenceRegistryOptions;
  readonly #byMeetingId = new Map<string, ColibriConference>();
  readonly #byId = new Map<string, ColibriConference>();
  readonly #changeListeners = new Set<(conferenceId: string | undefined) => void>();
  readonly #videoListeners = new Set<(conferenceId: string, e: VideoEvent) => void>();
  #gracefulShutdown = false;

  constructor(options: ConferenceRegistryOptions) {
    this.#opts = options;
  }

  /** Once set, no new conference is accepted (PROTOCOL.md §5.6 `graceful_shutdown`); never unset. */
  get gracefulShutdown(): boolean {
    return this.#gracefulShutdown;
  }

  startGracefulShutdown(): void {
    if (this.#gracefulShutdown) return;
    this.#gracefulShutdown = true;
    this.#opts.log.info({ conferences: this.#byId.size }, 'graceful shutdown: no new conferences');
    this.#changed();
  }

  get conferences(): ReadonlyMap<string, ColibriConference> {
    return this.#byId;
  }

  get endpointCount(): number {
    let n = 0;
    for (const c of this.#byId.values()) n += c.endpoints.size;
    return n;
  }

  byMeetingId(meetingId: string): ColibriConference | undefined {
    return this.#byMeetingId.get(meetingId);
  }

  byId(id: string): ColibriConference | undefined {
    return this.#byId.get(id);
  }

  /** Looks an endpoint up by the ids in a colibri-ws URL. */
  findEndpoint(conferenceId: string, endpointId: string): ColibriEndpoint | undefined {
    return this.#byId.get(conferenceId)?.getEndpoint(endpointId);
  }

  /** The endpoint's ForwardedSources: the media core's allocation, else every other member's video. */
  forwardedSources(conferenceId: string, endpointId: string): string[] {
    const conference = this.#byId.get(conferenceId);
    if (conference === undefined) return [];
    const allocated = conference.media.forwardedSources?.(endpointId);
    if (allocated !== undefined) return allocated;
    const names: string[] = [];
    for (const [id, ep] of conference.endpoints) {
      if (id === endpointId) continue;
      for (const ms of ep.sources) if (ms.type === 'video') names.push(ms.id);
    }
    return names.sort();
  }

  /** The dominant speaker and this endpoint's sender constraints, for a channel that just connected. */
  initialMessages(conferenceId: string, endpointId: string): Array<Record<string, JsonValue>> {
    const media = this.#byId.get(conferenceId)?.media;
    return (media?.videoSnapshot?.(endpointId) ?? []).map(videoEventMessage);
  }

  /** Media events of every conference (forwarded sources, speaker, sender constraints); returns the unsubscribe. */
  onVideoEvent(fn: (conferenceId: string, e: VideoEvent) => void): () => void {
    this.#videoListeners.add(fn);
    return () => void this.#videoListeners.delete(fn);
  }

  /** An endpoint's sources changed (Colibri2 update). */
  sourcesChanged(conferenceId: string): void {
    this.#changed(conferenceId);
  }

  /**
   * Called after every conference or endpoint change, with the conference it concerns (undefined: bridge-wide,
   * e.g. graceful shutdown); returns the unsubscribe function.
   */
  onChange(fn: (conferenceId: string | undefined) => void): () => void {
    this.#changeListeners.add(fn);
    return () => void this.#changeListeners.delete(fn);
  }

  /** Creates a conference; the caller checked that the meeting id is free. */
  create(meetingId: MeetingId, name: string): ColibriConference {
    const c = new ColibriConference(meetingId, name, (id) => this.#opts.media.createConference(id), {
      log: this.#opts.log,
      endpointConnectTimeoutMs: this.#opts.endpointConnectTimeoutMs,
      idleTimeoutMs: this.#opts.conferenceIdleTimeoutMs,
      onEndpointCreated: () => {
        this.totals.endpointsCreated++;
        this.#changed(c.id);
      },
      onEndpointClosed: (ep, reason) => this.#onEndpointClosed(ep, reason),
      onClosed: (conf) => this.#onClosed(conf),
    });
    this.#byMeetingId.set(meetingId, c);
    this.#byId.set(c.id, c);
    c.media.onVideoEvent?.((e) => {
      for (const fn of this.#videoListeners) {
        try {
          fn(c.id, e);
        } catch (err) {
          this.#opts.log.error({ err }, 'video event listener threw');
        }
      }
    });
    this.totals.conferencesCreated++;
    this.#changed(c.id);
    return c;
  }

  /** Expires every conference (process shutdown). */
  closeAll(): void {
    for (const c of [...this.#byId.values()]) c.close();
  }

  #onEndpointClosed(ep: ColibriEndpoint, reason: EndpointExpireReason): void {
    if (reason === 'no ice connection' || reason === 'ice failed') this.totals.endpointsIceFailed++;
    else if (reason === 'dtls failed') this.totals.endpointsDtlsFailed++;
    else {
      this.totals.endpointsExpired++;
      if (reason === 'hung up') this.totals.endpointsHungUp++;
    }
    this.#changed(ep.conferenceId);
  }

  #onClosed(c: ColibriConference): void {
    if (this.#byId.get(c.id) !== c) return;
    this.#byId.delete(c.id);
    if (this.#byMeetingId.get(c.meetingId) === c) this.#byMeetingId.delete(c.meetingId);
    this.totals.conferencesCompleted++;
    this.totals.conferenceSeconds += Math.round((Date.now() - c.createdAt) / 1000);
    this.#changed(c.id);
  }

  #changed(conferenceId?: string): void {
    for (const fn of this.#changeListeners) {
      try {
        fn(conferenceId);
      } catch (err) {
        this.#opts.log.error({ err }, 'registry change listener threw');
      }
    }
  }
}
