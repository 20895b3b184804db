// Colibri2 over XMPP (PROTOCOL.md §5): sender check (real JID), parse, validate everything, then apply inside the
// conference's queue, one request at a time (JVB Colibri2ConferenceHandler + ColibriQueue).
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import type { JidAllowList } from '@convene/protocol/lib';
import {
  buildConferenceModified,
  parseConferenceModify,
  type Colibri2Endpoint,
  type Colibri2Media,
  type ConferenceModified,
  type ConferenceModify,
  type MediaSource,
} from '@convene/protocol/colibri2';
import type { IqRequest } from '../xmpp/bridge-xmpp.js';
import { colibri2Failure } from './colibri2-failure.js';
import type { ColibriConference } from './colibri-conference.js';
import type { ColibriEndpoint } from './colibri-endpoint.js';
import type { ConferenceRegistry } from './conference-registry.js';
import type { MediaSsrc } from './media-port.js';
import type { VideoCodec } from '../conference/index.js';
import { toColibri2Transport, toMediaTransport } from './transport-mapping.js';
import { isHeavy, validateRequest } from './validate-request.js';

export interface ColibriHandlerOptions {
  registry: ConferenceRegistry;
  /** Real JIDs allowed to send Colibri2, whatever their brewery nick (PROTOCOL.md §10). */
  allowedFocus: JidAllowList;
  /** Creates beyond this many live conferences are refused with `resource-constraint`. */
  maxConferences: number;
  /** The colibri-ws URL handed to the endpoint. */
  webSocketUrl(conferenceId: string, endpointId: string, password: string): string;
  log: Logger;
}

/** Handles `conference-modify` IQs and answers `conference-modified`, or throws a StanzaFailure / ProtocolError. */
export class ColibriHandler {
  /** Requests answered with a result. */
  requestsSucceeded = 0;
  readonly #opts: ColibriHandlerOptions;

  constructor(options: ColibriHandlerOptions) {
    this.#opts = options;
  }

  /** Whether a request's real sender is an allowed focus (the nick it holds in the brewery does not count). */
  isFromFocus(iq: IqRequest): boolean {
    return this.#opts.allowedFocus.allows(iq.sender);
  }

  async handle(iq: IqRequest): Promise<Element> {
    if (!this.isFromFocus(iq))
      throw colibri2Failure('not-authorized', 'not-authorized', 'Colibri2 is only accepted from the focus');
    const req = parseConferenceModify(iq.payload);
    validateRequest(req);
    const { registry } = this.#opts;
    let conf = registry.byMeetingId(req.meetingId);
    let created = false;
    if (req.create === true) {
      if (registry.gracefulShutdown)
        throw colibri2Failure('graceful-shutdown', 'service-unavailable', 'In graceful shutdown', 'graceful_shutdown');
      if (conf !== undefined)
        throw colibri2Failure(
          'conference-exists',
          'conflict',
          `Conference already exists for ID: ${req.meetingId}`,
          'conference_already_exists',
        );
      if (registry.conferences.size >= this.#opts.maxConferences)
        throw colibri2Failure('too-many-conferences', 'resource-constraint', 'Too many conferences on this bridge');
      conf = registry.create(req.meetingId, req.name ?? '');
      created = true;
    } else if (conf === undefined) {
      throw conferenceNotFound(req.meetingId);
    }
    const target = conf;
    const answer = await target.queue.run(() =>
      Promise.resolve().then(() => target.batch(() => this.#apply(target, req, created))),
    );
    this.requestsSucceeded++;
    return buildConferenceModified(answer);
  }

  #apply(conf: ColibriConference, req: ConferenceModify, created: boolean): ConferenceModified {
    if (conf.closed) throw conferenceNotFound(req.meetingId);
    if (req.expire === true) {
      conf.close();
      return { endpoints: [], relays: [] };
    }
    // Validate against the current state first: nothing changes unless everything can.
    for (const ep of req.endpoints) {
      const existing = conf.getEndpoint(ep.id);
      if (ep.create === true && existing !== undefined)
        throw colibri2Failure('endpoint-exists', 'conflict', `Endpoint with ID ${ep.id} already exists`);
      if (ep.create !== true && ep.expire !== true && existing === undefined && isHeavy(ep))
        throw colibri2Failure(
          'unknown-endpoint',
          'item-not-found',
          `Unknown endpoint ${ep.id}`,
          'unknown_endpoint',
          ep.id,
        );
    }
    // The one endpoint that may fail in the media core (create, sources) goes first, so that a failure
    // leaves the expires and force-mutes of the same request unapplied too.
    const order = [...req.endpoints.filter(isHeavy), ...req.endpoints.filter((ep) => !isHeavy(ep))];
    const results = new Map<Colibri2Endpoint, Colibri2Endpoint | undefined>();
    let endpointCreated = false;
    for (const ep of order) {
      if (ep.expire === true) {
        conf.getEndpoint(ep.id)?.close('expired');
        results.set(ep, { id: ep.id, expire: true, media: [], capabilities: [] });
      } else if (ep.create === true) {
        results.set(ep, this.#createEndpoint(conf, ep));
        endpointCreated = true;
      } else {
        const existing = conf.getEndpoint(ep.id);
        if (existing === undefined) continue; // force-mute or stats-id only: JVB ignores unknown endpoints
        this.#update(existing, ep);
        results.set(ep, { id: ep.id, media: [], capabilities: [] });
      }
    }
    const answer: ConferenceModified = { endpoints: [], relays: [] };
    for (const ep of req.endpoints) {
      const r = results.get(ep);
      if (r !== undefined) answer.endpoints.push(r);
    }
    if (created || endpointCreated) answer.sources = [...conf.feedbackSources];
    return answer;
  }

  #createEndpoint(conf: ColibriConference, req: Colibri2Endpoint): Colibri2Endpoint {
    const ep = conf.createEndpoint(req.id);
    try {
      ep.capabilities = [...req.capabilities];
      ep.sctp = req.transport?.sctp !== undefined;
      if (req.media.length > 0) {
        conf.media.setStrippedHeaderExtensions?.(hopByHopExtensionIds(req.media));
        conf.media.setTransportCcExtension?.(transportCcExtensionId(req.media));
        conf.media.setVideoCodecs?.(videoCodecs(req.media));
        conf.media.setAudioLevelExtension?.(extensionId(req.media, URI_AUDIO_LEVEL));
      }
      if (req.initialLastN !== undefined) {
        ep.channel.lastN = req.initialLastN;
        ep.media.setReceiverConstraints?.({ lastN: req.initialLastN });
      }
      this.#update(ep, req);
    } catch (err) {
      ep.close('expired');
      throw err;
    }
    const url = this.#opts.webSocketUrl(conf.id, ep.id, ep.password);
    return {
      id: ep.id,
      media: [],
      capabilities: [],
      transport: toColibri2Transport(ep.media.localTransport(), url, ep.sctp),
    };
  }

  /** Applies transport, sources, force-mute and stats id; the media core validates sources before it commits. */
  #update(ep: ColibriEndpoint, req: Colibri2Endpoint): void {
    const ice = req.transport?.ice;
    const remote = ice === undefined ? undefined : toMediaTransport(ice, ep.remoteTransport);
    if (ice !== undefined && remote === undefined)
      this.#opts.log.debug({ endpointId: ep.id }, 'transport without ufrag, pwd or fingerprint ignored');
    if (req.sources !== undefined) {
      ep.media.setSources(toMediaSsrcs(req.sources));
      ep.sources = req.sources;
      this.#opts.registry.sourcesChanged(ep.conferenceId);
    }
    if (remote !== undefined) {
      ep.media.setRemoteTransport(remote);
      ep.remoteTransport = remote;
    }
    if (req.statsId !== undefined) ep.statsId = req.statsId;
    if (req.forceMute !== undefined) {
      for (const kind of ['audio', 'video'] as const) {
        const muted = req.forceMute[kind];
        if (muted === undefined) continue;
        ep.forceMute[kind] = muted;
        ep.media.setForceMuted(kind, muted);
      }
    }
    this.#opts.log.debug(
      { endpointId: ep.id, transport: remote !== undefined, sources: req.sources?.length },
      'endpoint updated',
    );
  }
}

function conferenceNotFound(meetingId: string) {
  return colibri2Failure(
    'conference-not-found',
    'item-not-found',
    `Conference not found for ID: ${meetingId}`,
    'conference_not_found',
  );
}

/**
 * Each SSRC with what the media core needs to know of it: its source name, and for video its place in the SIM
 * group (lowest layer first, as lib-jitsi-meet signals) and whether a FID group makes it the RTX of another.
 */
export function toMediaSsrcs(list: readonly MediaSource[]): MediaSsrc[] {
  return list.flatMap((ms) => {
    const encoding = new Map<number, number>();
    const rtxOf = new Map<number, number>();
    for (const g of ms.groups) {
      if (g.semantics === 'SIM') g.ssrcs.forEach((s, i) => encoding.set(s, i));
      else if (g.semantics === 'FID' && g.ssrcs.length === 2) rtxOf.set(g.ssrcs[1]!, g.ssrcs[0]!);
    }
    return ms.sources.map((s): MediaSsrc => {
      if (ms.type !== 'video') return { ssrc: s.ssrc, kind: ms.type, name: ms.id };
      const primary = rtxOf.get(s.ssrc);
      const out: MediaSsrc = {
        ssrc: s.ssrc,
        kind: 'video',
        name: ms.id,
        encoding: encoding.get(primary ?? s.ssrc) ?? 0,
        rtx: primary !== undefined,
      };
      if (s.videoType !== undefined) out.videoType = s.videoType;
      return out;
    });
  });
}

const VIDEO_CODECS: ReadonlyMap<string, VideoCodec> = new Map([
  ['vp8', 'vp8'],
  ['h264', 'h264'],
  ['vp9', 'vp9'],
  ['av1', 'av1'],
]);

/** Payload type -> codec for the video payload types of the offer (RTX and others are not listed). */
export function videoCodecs(media: readonly Colibri2Media[]): Map<number, VideoCodec> {
  const out = new Map<number, VideoCodec>();
  for (const m of media) {
    if (m.type !== 'video') continue;
    for (const pt of m.payloadTypes) {
      const c = VIDEO_CODECS.get(pt.name.toLowerCase());
      if (c !== undefined) out.set(pt.id, c);
    }
  }
  return out;
}

const URI_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

function extensionId(media: readonly Colibri2Media[], uri: string): number {
  for (const m of media) for (const e of m.headerExtensions) if (e.uri === uri) return e.id;
  return 0;
}

/** Extensions a receiver may use as the sender wrote them (JVB's HeaderExtStripper keeps these); the rest are stripped. */
const END_TO_END_EXTENSIONS = new Set([
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'urn:3gpp:video-orientation',
  'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
]);

const URI_TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** The offer's transport-wide sequence number extension id, or 0 when transport-cc is not negotiated. */
export function transportCcExtensionId(media: readonly Colibri2Media[]): number {
  for (const m of media) for (const e of m.headerExtensions) if (e.uri === URI_TRANSPORT_CC) return e.id;
  return 0;
}

/** The offer's header extension ids that describe the sender's hop (mid, transport-cc, abs-send-time…). */
export function hopByHopExtensionIds(media: readonly Colibri2Media[]): number[] {
  const ids = new Set<number>();
  for (const m of media) for (const e of m.headerExtensions) if (!END_TO_END_EXTENSIONS.has(e.uri)) ids.add(e.id);
  return [...ids];
}
