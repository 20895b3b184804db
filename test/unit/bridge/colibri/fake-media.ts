import { ProtocolError } from '@convene/protocol/lib';
import type {
  MediaConferencePort,
  MediaEndpointPort,
  MediaPort,
  MediaSsrc,
  MediaTransport,
} from '@convene/bridge/colibri';

/** An in-memory media core: records calls, owns SSRCs per conference like the real one. */
export class FakeEndpoint implements MediaEndpointPort {
  closed = false;
  iceState = 'new';
  remote: MediaTransport | undefined;
  sources: readonly MediaSsrc[] = [];
  readonly forceMuted = { audio: false, video: false };
  readonly #listeners = new Set<(reason: string) => void>();
  constructor(
    readonly id: string,
    readonly conference: FakeConference,
  ) {}
  localTransport(): MediaTransport {
    return {
      ufrag: `u-${this.id}`,
      pwd: 'p'.repeat(24),
      fingerprints: [{ hash: 'sha-256', value: 'AB:CD', setup: 'actpass' }],
      candidates: [{ address: '192.0.2.10', port: 10000, priority: 2130706431, type: 'host' }],
    };
  }
  setRemoteTransport(t: MediaTransport): void {
    this.remote = t;
  }
  setSources(s: readonly MediaSsrc[]): void {
    for (const x of s) {
      const owner = this.conference.ownerOf(x.ssrc);
      if (owner !== undefined && owner !== this) throw new ProtocolError('ssrc-conflict', `ssrc ${x.ssrc}`);
    }
    this.sources = s;
  }
  setForceMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.forceMuted[kind] = muted;
  }
  on(_name: 'close', fn: (reason: string) => void): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }
  /** `reason` as the media core gives it: `hung up`, `ice failed`, `dtls failed`, `expired`... */
  close(reason = 'expired'): void {
    if (this.closed) return;
    this.closed = true;
    this.conference.endpoints.delete(this.id);
    for (const fn of this.#listeners) fn(reason);
  }
}

export class FakeConference implements MediaConferencePort {
  closed = false;
  readonly endpoints = new Map<string, FakeEndpoint>();
  constructor(readonly id: string) {}
  createEndpoint(id: string): FakeEndpoint {
    const ep = new FakeEndpoint(id, this);
    this.endpoints.set(id, ep);
    return ep;
  }
  ownerOf(ssrc: number): FakeEndpoint | undefined {
    for (const ep of this.endpoints.values()) if (ep.sources.some((s) => s.ssrc === ssrc)) return ep;
    return undefined;
  }
  close(): void {
    this.closed = true;
    for (const ep of [...this.endpoints.values()]) ep.close();
  }
}

export class FakeMedia implements MediaPort {
  readonly conferences = new Map<string, FakeConference>();
  createConference(id: string): FakeConference {
    const c = new FakeConference(id);
    this.conferences.set(id, c);
    return c;
  }
}
