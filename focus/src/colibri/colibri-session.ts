import type { Element } from 'ltx';
import type { Logger } from 'pino';
import {
  CAPABILITY_SOURCE_NAMES,
  CAPABILITY_SSRC_REWRITING,
  buildConferenceModify,
  colibri2ErrorOf,
  parseConferenceModified,
  type Colibri2Endpoint,
  type Colibri2Media,
  type ConferenceModified,
  type ConferenceModify,
  type ForceMute,
  type MediaSource,
} from '@convene/protocol/colibri2';
import type { IceUdpTransport } from '@convene/protocol/jingle';
import {
  ProtocolError,
  SerialQueue,
  toEndpointId,
  toMeetingId,
  type EndpointId,
  type MeetingId,
} from '@convene/protocol/lib';
import type { EndpointSources } from '@convene/protocol/sources';
import { NS_COLIBRI2, parseStanzaError, xmlElement } from '@convene/protocol/xml';
import type { Bridge } from '../bridges/bridge.js';
import { IqError } from '../xmpp/iq-error.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import { BAD_REPLY, ColibriError } from './colibri-error.js';
import { toMediaSources } from './media-sources.js';

export interface AllocateParams {
  endpointId: string;
  statsId?: string | undefined;
  media: Colibri2Media[];
  sctp: boolean;
  /** Colibri2 capability `ssrc-rewriting`: the bridge maps forwarded sources onto a few SSRCs for this endpoint. */
  ssrcRewriting?: boolean;
  /** Media the bridge drops from this endpoint from the start (AV moderation). */
  forceMute?: ForceMute;
}

/** What the bridge gave an endpoint: its transport to copy into the offer, and the bridge's feedback sources. */
export interface Allocation {
  transport: IceUdpTransport;
  sctpPort: number | undefined;
  feedbackSources: MediaSource[];
}

export interface EndpointUpdate {
  transport?: IceUdpTransport;
  sources?: EndpointSources;
  initialLastN?: number;
  forceMute?: ForceMute;
}

/** One conference on one bridge, driven with Colibri2 (PROTOCOL.md §5); requests run one at a time. */
export class ColibriSession {
  readonly bridge: Bridge;
  readonly meetingId: MeetingId;
  readonly #conn: FocusConnection;
  readonly #from: string;
  readonly #roomJid: string;
  readonly #log: Logger;
  readonly #queue = new SerialQueue();
  readonly #endpoints = new Set<string>();
  #created = false;
  #expired = false;
  feedbackSources: MediaSource[] = [];

  constructor(init: {
    conn: FocusConnection;
    bridge: Bridge;
    meetingId: string;
    roomJid: string;
    from: string;
    log: Logger;
  }) {
    this.#conn = init.conn;
    this.bridge = init.bridge;
    this.meetingId = toMeetingId(init.meetingId);
    this.#roomJid = init.roomJid;
    this.#from = init.from;
    this.#log = init.log.child({ bridge: init.bridge.id });
  }

  get endpointCount(): number {
    return this.#endpoints.size;
  }

  /** Creates the endpoint (and the conference, the first time). */
  allocate(p: AllocateParams): Promise<Allocation> {
    return this.#queue.run(async () => {
      const create = !this.#created;
      const ep: Colibri2Endpoint = {
        id: toEndpointId(p.endpointId),
        create: true,
        media: p.media,
        transport: { iceControlling: true, ...(p.sctp ? { sctp: {} } : {}) },
        sources: [],
        capabilities: [CAPABILITY_SOURCE_NAMES, ...(p.ssrcRewriting === true ? [CAPABILITY_SSRC_REWRITING] : [])],
      };
      if (p.statsId !== undefined) ep.statsId = p.statsId;
      if (p.forceMute?.audio === true || p.forceMute?.video === true) ep.forceMute = p.forceMute;
      const req: ConferenceModify = { meetingId: this.meetingId, endpoints: [ep], relays: [] };
      if (create) {
        req.create = true;
        req.name = this.#roomJid;
      }
      const res = await this.#send(req);
      this.#created = true;
      this.#endpoints.add(p.endpointId);
      this.bridge.endpointAdded(Date.now());
      if (res.sources !== undefined && res.sources.length > 0) this.feedbackSources = res.sources;
      const transport = res.endpoints.find((e) => e.id === p.endpointId)?.transport;
      if (transport?.ice === undefined)
        throw new ColibriError(BAD_REPLY, undefined, 'the bridge returned no transport');
      if (p.sctp && transport.sctp?.port === undefined)
        throw new ColibriError(BAD_REPLY, undefined, 'asked for SCTP and got no sctp port');
      return { transport: transport.ice, sctpPort: transport.sctp?.port, feedbackSources: this.feedbackSources };
    });
  }

  /** Gives the bridge the participant's transport and/or full source list. */
  updateEndpoint(endpointId: string, update: EndpointUpdate): Promise<void> {
    return this.#queue.run(async () => {
      const ep: Colibri2Endpoint = { id: toEndpointId(endpointId), media: [], capabilities: [] };
      if (update.transport !== undefined) ep.transport = { ice: update.transport };
      if (update.sources !== undefined) ep.sources = toMediaSources(update.sources, endpointId);
      if (update.initialLastN !== undefined) ep.initialLastN = update.initialLastN;
      if (update.forceMute !== undefined) ep.forceMute = update.forceMute;
      await this.#send({ meetingId: this.meetingId, endpoints: [ep], relays: [] });
    });
  }

  /**
   * Expires one endpoint. Its last one takes the conference with it (JVB ends a conference a request empties): the
   * focus says so itself, so both sides agree, and the next allocation creates the conference anew.
   */
  expireEndpoint(endpointId: EndpointId | string): Promise<void> {
    return this.#queue.run(async () => {
      if (!this.#endpoints.delete(endpointId)) return;
      const ep: Colibri2Endpoint = { id: toEndpointId(endpointId), expire: true, media: [], capabilities: [] };
      if (this.#endpoints.size > 0 || this.#expired) {
        await this.#send({ meetingId: this.meetingId, endpoints: [ep], relays: [] });
        return;
      }
      this.#created = false;
      await this.#send({ meetingId: this.meetingId, expire: true, endpoints: [], relays: [] }).catch((err: unknown) => {
        if (!(err instanceof ColibriError && err.reason === 'conference_not_found')) throw err;
      });
    });
  }

  /** The bridge no longer has this conference: nothing more is sent for it. */
  forget(): void {
    this.#expired = true;
    this.#endpoints.clear();
  }

  /** Ends the conference on the bridge. */
  expire(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#expired || !this.#created) return;
      this.#expired = true;
      this.#endpoints.clear();
      await this.#send({ meetingId: this.meetingId, expire: true, endpoints: [], relays: [] });
    });
  }

  async #send(req: ConferenceModify): Promise<ConferenceModified> {
    const iq = xmlElement('iq', { type: 'set', to: this.bridge.jid, from: this.#from }, [buildConferenceModify(req)]);
    let result: Element;
    try {
      result = await this.#conn.request(iq);
    } catch (err) {
      if (err instanceof IqError) {
        let reason;
        if (err.element !== undefined) {
          try {
            reason = colibri2ErrorOf(parseStanzaError(err.element))?.reason;
          } catch (parseErr) {
            this.#log.warn({ err: parseErr }, 'unreadable colibri2 error');
          }
        }
        const failure = new ColibriError(err.condition, reason, err.text ?? 'no text', { cause: err });
        failure.session = this;
        throw failure;
      }
      throw err;
    }
    const modified = result.getChild('conference-modified', NS_COLIBRI2);
    if (modified === undefined) return { endpoints: [], relays: [] };
    try {
      return parseConferenceModified(modified);
    } catch (err) {
      // A bridge that answers garbage is broken, not the request: the conference moves (PROTOCOL.md §5.6).
      if (err instanceof ProtocolError)
        throw new ColibriError(BAD_REPLY, undefined, `unreadable conference-modified: ${err.message}`, { cause: err });
      throw err;
    }
  }
}
