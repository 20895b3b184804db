// Colibri2 over XMPP (PROTOCOL.md §5): sender check (real JID), parse, validate everything, then apply inside the
// conference's queue, one request at a time (JVB Colibri2ConferenceHandler + ColibriQueue). A translator: the
// conferences and endpoints are the media server's (bridge/src/conference/), the one model of them.
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import type { JidAllowList } from '@convene/protocol/lib';
import {
  CAPABILITY_SSRC_REWRITING,
  buildConferenceModified,
  parseConferenceModify,
  type Colibri2Endpoint,
  type Colibri2Media,
  type ConferenceModified,
  type ConferenceModify,
} from '@convene/protocol/colibri2';
import type { IqRequest } from '../xmpp/bridge-xmpp.js';
import type { Conference, Endpoint, MediaServer } from '../conference/index.js';
import { colibri2Failure } from './colibri2-failure.js';
import { feedbackSources, toColibri2Transport, toMediaTransport, toSourceParams } from './transport-mapping.js';
import { audioLevelExtensionId, dependencyDescriptorExtensionId, videoCodecs } from './media-mapping.js';
import { isHeavy, validateRequest } from './validate-request.js';

export interface ColibriHandlerOptions {
  media: MediaServer;
  /** Real JIDs allowed to send Colibri2, whatever their brewery nick (PROTOCOL.md §10). */
  allowedFocus: JidAllowList;
  /** Creates beyond this many live conferences are refused with `resource-constraint`. */
  maxConferences: number;
  /** The colibri-ws URL handed to the endpoint; undefined when colibri-ws is off. */
  webSocketUrl(conferenceId: string, endpointId: string, password: string): string | undefined;
  /** An endpoint asked for the SCTP data channel (`<sctp/>`): serve the bridge channel on it. */
  onSctpRequested?(ep: Endpoint): void;
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
    const { media } = this.#opts;
    let conf = media.byMeetingId(req.meetingId);
    let created = false;
    if (req.create === true) {
      if (media.gracefulShutdown)
        throw colibri2Failure('graceful-shutdown', 'service-unavailable', 'In graceful shutdown', 'graceful_shutdown');
      if (conf !== undefined)
        throw colibri2Failure(
          'conference-exists',
          'conflict',
          `Conference already exists for ID: ${req.meetingId}`,
          'conference_already_exists',
        );
      if (media.conferences.size >= this.#opts.maxConferences)
        throw colibri2Failure('too-many-conferences', 'resource-constraint', 'Too many conferences on this bridge');
      conf = media.createConference(req.meetingId, req.name ?? '');
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

  #apply(conf: Conference, req: ConferenceModify, created: boolean): ConferenceModified {
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
    if (created || endpointCreated) answer.sources = feedbackSources(conf);
    return answer;
  }

  #createEndpoint(conf: Conference, req: Colibri2Endpoint): Colibri2Endpoint {
    const ep = conf.createEndpoint(req.id);
    try {
      ep.capabilities = [...req.capabilities];
      if (req.capabilities.includes(CAPABILITY_SSRC_REWRITING)) conf.enableSsrcRewriting(ep.id);
      ep.sctp = req.transport?.sctp !== undefined;
      if (ep.sctp) this.#opts.onSctpRequested?.(ep);
      if (req.media.length > 0) {
        conf.setStrippedHeaderExtensions(hopByHopExtensionIds(req.media));
        conf.setTransportCcExtension(transportCcExtensionId(req.media));
        conf.setRtxPayloadTypes(rtxPayloadTypes(req.media));
        conf.setVideoCodecs(videoCodecs(req.media));
        conf.setAudioLevelExtension(audioLevelExtensionId(req.media));
        conf.setDependencyDescriptorExtension(dependencyDescriptorExtensionId(req.media));
      }
      if (req.initialLastN !== undefined) ep.setLastN(req.initialLastN);
      this.#update(ep, req);
    } catch (err) {
      ep.close('expired');
      throw err;
    }
    const url = this.#opts.webSocketUrl(conf.id, ep.id, ep.password);
    return {
      id: req.id,
      media: [],
      capabilities: [],
      transport: toColibri2Transport(ep.localTransport(), url, ep.sctp),
    };
  }

  /** Applies transport, sources, force-mute and stats id; the media core validates sources before it commits. */
  #update(ep: Endpoint, req: Colibri2Endpoint): void {
    const ice = req.transport?.ice;
    const remote = ice === undefined ? undefined : toMediaTransport(ice, ep.remoteTransport);
    if (ice !== undefined && remote === undefined)
      this.#opts.log.debug({ endpointId: ep.id }, 'transport without ufrag, pwd or fingerprint ignored');
    if (req.sources !== undefined) {
      const { sources, groups } = toSourceParams(req.sources);
      ep.setSources(sources, groups);
    }
    if (remote !== undefined) ep.setRemoteTransport(remote);
    if (req.statsId !== undefined) ep.statsId = req.statsId;
    if (req.forceMute !== undefined) {
      for (const kind of ['audio', 'video'] as const) {
        const muted = req.forceMute[kind];
        if (muted === undefined) continue;
        ep.setForceMuted(kind, muted);
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

/** The offer's RTX payload types: original payload type (`apt`) -> RTX payload type. */
export function rtxPayloadTypes(media: readonly Colibri2Media[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const m of media)
    for (const pt of m.payloadTypes) {
      if (pt.name.toLowerCase() !== 'rtx') continue;
      const apt = pt.parameters.find((p) => p.name === 'apt');
      if (apt !== undefined && /^\d+$/.test(apt.value)) map.set(Number(apt.value), pt.id);
    }
  return map;
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
