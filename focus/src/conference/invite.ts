import type { MediaSource } from '@convene/protocol/colibri2';
import {
  emptyRtpDescription,
  type IceUdpTransport,
  type Jingle,
  type JingleContent,
  type RtpDescription,
} from '@convene/protocol/jingle';
import { toEndpointId, type EndpointId } from '@convene/protocol/lib';
import { emptyEndpointSources, type EndpointSources, type SourceMap } from '@convene/protocol/sources';
import type { Allocation } from '../colibri/colibri-session.js';
import type { Offer } from './offer.js';

/** Owner of the bridge's own (feedback) sources in every offer. */
export const BRIDGE_OWNER = toEndpointId('jvb');
/** Jicofo's SCTP stream count for the data channel offer. */
const SCTP_STREAMS = 1024;

/** The bridge's feedback sources as an owner's source set, msid as Jicofo writes it (PROTOCOL.md §4.4). */
export function feedbackSourceSet(feedback: readonly MediaSource[]): EndpointSources {
  const set = emptyEndpointSources();
  for (const ms of feedback) {
    const label = ms.type === 'audio' ? 'mixedlabelaudio0' : 'mixedlabelvideo0';
    for (const s of ms.sources) {
      set[ms.type].sources.push({
        ...s,
        name: s.name ?? ms.id,
        owner: BRIDGE_OWNER,
        msid: `mixedmslabel ${label}`,
        parameters: [],
      });
    }
  }
  return set;
}

/** A session-initiate for one participant: the offer, the bridge's transport in every content, everyone's sources. */
export function buildInvite(init: {
  offer: Offer;
  allocation: Allocation;
  remoteSources: SourceMap;
  /** SSRC rewriting: only the bridge's feedback sources; the bridge announces the others' (PROTOCOL.md §4.4). */
  ssrcRewriting?: boolean;
  useJsonSources: boolean;
  bridgeSessionId: string;
  region?: string | undefined;
}): Omit<Jingle, 'action' | 'sid'> {
  const { offer, allocation } = init;
  const sources: SourceMap = new Map<EndpointId, EndpointSources>([
    [BRIDGE_OWNER, feedbackSourceSet(allocation.feedbackSources)],
  ]);
  if (init.ssrcRewriting !== true) for (const [owner, set] of init.remoteSources) sources.set(owner, set);

  const transport = (): IceUdpTransport => ({
    ...allocation.transport,
    rtcpMux: true,
    fingerprints: allocation.transport.fingerprints.map((f) => ({ ...f })),
    candidates: allocation.transport.candidates.map((c) => ({ ...c })),
    webSockets: [...allocation.transport.webSockets],
  });
  const contents: JingleContent[] = [];
  for (const d of [offer.audio, offer.video]) {
    if (d === undefined) continue;
    const description: RtpDescription = { ...d, sources: [], ssrcGroups: [] };
    if (!init.useJsonSources) {
      for (const [owner, set] of sources) {
        const media = set[d.media as 'audio' | 'video'];
        description.sources.push(...media.sources.map((s) => ({ ...s, owner })));
        description.ssrcGroups.push(...media.groups);
      }
    }
    contents.push({ creator: 'initiator', name: d.media, senders: 'both', description, transport: transport() });
  }
  if (offer.sctp && allocation.sctpPort !== undefined) {
    contents.push({
      creator: 'initiator',
      name: 'data',
      senders: 'both',
      description: emptyRtpDescription('application'),
      transport: {
        ...transport(),
        sctpMap: { number: allocation.sctpPort, protocol: 'webrtc-datachannel', streams: SCTP_STREAMS },
      },
    });
  }
  const jingle: Omit<Jingle, 'action' | 'sid'> = {
    contents,
    groups: [{ semantics: 'BUNDLE', contents: contents.map((c) => c.name) }],
    bridgeSession: { id: init.bridgeSessionId, ...(init.region !== undefined ? { region: init.region } : {}) },
  };
  if (init.useJsonSources) jingle.jsonSources = sources;
  return jingle;
}

/** The sources a participant announced in its Jingle contents (session-accept, source-add, source-remove). */
export function sourcesOf(contents: readonly JingleContent[]): EndpointSources {
  const set = emptyEndpointSources();
  for (const c of contents) {
    const d = c.description;
    if (d === undefined || (d.media !== 'audio' && d.media !== 'video')) continue;
    set[d.media].sources.push(...d.sources);
    set[d.media].groups.push(...d.ssrcGroups);
  }
  return set;
}
