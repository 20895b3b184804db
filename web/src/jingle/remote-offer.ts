import type { IceUdpTransport, Jingle, JingleContent, PayloadType, RtpDescription } from '@convene/protocol/jingle';
import type { EndpointSources, Source, SsrcGroup } from '@convene/protocol/sources';
import { jingleToSdp } from '@convene/protocol/sdp';

type Media = 'audio' | 'video';

/** One m-line of the remote offer. */
interface Slot {
  mid: string;
  media: Media;
  /** Endpoint id of the sender; undefined for our own send m-line. */
  owner?: string;
  /** Source name (or msid, or SSRC) that identifies the remote source carried here. */
  key?: string;
  sources: Source[];
  groups: SsrcGroup[];
  /** A content other than audio/video (the `data` content), passed through at its place. */
  passthrough?: JingleContent;
  /** The first m-line of each media type: we send on it (sendrecv). */
  local: boolean;
  removed: boolean;
}

/** Where a remote track belongs. */
export interface SlotOwner {
  owner: string;
  media: Media;
  key: string;
}

const BRIDGE_OWNER = 'jvb';

/**
 * The focus's offer as Unified Plan SDP that grows with source-add and shrinks with source-remove, the way
 * lib-jitsi-meet keeps it: one m-line per remote source, our own send m-line first for each media type, new
 * sources appended as new m-lines (m-lines never move or disappear), removed ones set inactive.
 */
export class RemoteOffer {
  readonly sid: string;
  readonly #templates = new Map<Media, RtpDescription>();
  readonly #transport: IceUdpTransport;
  readonly #slots: Slot[] = [];
  #version = 1;

  /**
   * `preferredVideoCodec` (e.g. `vp8`) goes first in the video m-lines with its RTX: Chromium, as the answerer, sends
   * the first codec of the offer it also supports, whatever `setCodecPreferences` puts first in its answer, so
   * lib-jitsi-meet reorders the offer too. Without it the browser sends the focus's first codec (AV1, Jicofo's order).
   */
  constructor(initiate: Jingle, preferredVideoCodec?: string) {
    this.sid = initiate.sid;
    const first = initiate.contents.find((c) => c.transport !== undefined)?.transport;
    if (first === undefined) throw new Error('session-initiate has no transport');
    this.#transport = first;
    for (const c of initiate.contents) {
      const d = c.description;
      if (d === undefined || d.media === 'application') {
        const slot = { mid: String(this.#slots.length), media: 'audio' as const, sources: [], groups: [] };
        this.#slots.push({ ...slot, passthrough: c, local: false, removed: false });
        continue;
      }
      // The offer is applied as it is, sdes:mid included, as lib-jitsi-meet does: the bridge strips the
      // sender's mid from forwarded RTP (else the browser would bind that SSRC to its own m-line of that mid).
      const payloadTypes =
        d.media === 'video' && preferredVideoCodec !== undefined
          ? preferPayloadTypes(d.payloadTypes, preferredVideoCodec)
          : d.payloadTypes;
      this.#templates.set(d.media, { ...d, payloadTypes, sources: [], ssrcGroups: [] });
      this.#slots.push({
        mid: String(this.#slots.length),
        media: d.media,
        local: true,
        removed: false,
        sources: [],
        groups: [],
      });
    }
    this.addSources(initiate);
  }

  /** The ICE-UDP transport the bridge offered (its `web-socket` URLs name the bridge channel). */
  get transport(): IceUdpTransport {
    return this.#transport;
  }

  /** Adds the sources of a session-initiate or source-add (JSON or XML form); returns how many m-lines were added. */
  addSources(j: Jingle): number {
    let added = 0;
    for (const [media, owner, sources, groups] of sourcesOf(j)) {
      if (owner === BRIDGE_OWNER) {
        // The bridge's feedback SSRCs belong in our own m-line (lib-jitsi-meet puts them first).
        const local = this.#slots.find((s) => s.local && s.media === media);
        local?.sources.push(...sources);
        local?.groups.push(...groups);
        continue;
      }
      for (const [key, group] of bySource(sources)) {
        const ssrcs = new Set<number>(group.map((s) => s.ssrc));
        if (this.#slots.some((s) => !s.removed && s.sources.some((x) => ssrcs.has(x.ssrc)))) continue;
        this.#slots.push({
          mid: String(this.#slots.length),
          media,
          owner,
          key,
          sources: group,
          groups: groups.filter((g) => g.ssrcs.every((x) => ssrcs.has(x))),
          local: false,
          removed: false,
        });
        added++;
      }
    }
    return added;
  }

  /** Removes the sources of a source-remove; returns how many m-lines went inactive. */
  removeSources(j: Jingle): number {
    const ssrcs = new Set<number>();
    for (const [, , sources] of sourcesOf(j)) for (const s of sources) ssrcs.add(s.ssrc);
    return this.#removeWhere((slot) => slot.sources.some((s) => ssrcs.has(s.ssrc)));
  }

  /** Removes every source of an endpoint (it left the room: the focus sends no source-remove). */
  removeOwner(owner: string): number {
    return this.#removeWhere((slot) => slot.owner === owner);
  }

  /** Which endpoint's source an m-line carries, for `track` events. */
  ownerOf(mid: string | null): SlotOwner | undefined {
    const slot = this.#slots.find((s) => s.mid === mid);
    if (slot?.owner === undefined || slot.key === undefined || slot.removed) return undefined;
    return { owner: slot.owner, media: slot.media, key: slot.key };
  }

  /** The mid of our own send m-line of this media type. */
  localMid(media: Media): string | undefined {
    return this.#slots.find((s) => s.local && s.media === media)?.mid;
  }

  /** The offer as SDP text (a new session version each time). */
  sdp(): string {
    const contents: JingleContent[] = this.#slots.map((slot) => {
      if (slot.passthrough !== undefined)
        return {
          ...slot.passthrough,
          name: slot.mid,
          transport: { ...this.#transport, sctpMap: slot.passthrough.transport?.sctpMap },
        };
      const template = this.#templates.get(slot.media) as RtpDescription;
      return {
        creator: 'initiator',
        name: slot.mid,
        senders: slot.local ? 'both' : slot.removed ? 'none' : 'initiator',
        description: {
          ...template,
          sources: slot.removed ? [] : slot.sources,
          ssrcGroups: slot.removed ? [] : slot.groups,
        },
        transport: this.#transport,
      };
    });
    const names = contents.map((c) => c.name);
    return jingleToSdp(
      { action: 'session-initiate', sid: this.sid, contents, groups: [{ semantics: 'BUNDLE', contents: names }] },
      { layout: 'per-content', sessionVersion: ++this.#version },
    );
  }

  #removeWhere(match: (slot: Slot) => boolean): number {
    let n = 0;
    for (const slot of this.#slots) {
      if (slot.local || slot.removed || !match(slot)) continue;
      slot.removed = true;
      n++;
    }
    return n;
  }
}

/** The payload types of codec `name` (case-insensitive) and the RTX ones that repair them first, the rest as they were. */
export function preferPayloadTypes(types: readonly PayloadType[], name: string): PayloadType[] {
  const wanted = name.toLowerCase();
  const ids = new Set(types.filter((t) => t.name.toLowerCase() === wanted).map((t) => t.id));
  if (ids.size === 0) return [...types];
  const repairs = (t: PayloadType) =>
    t.name.toLowerCase() === 'rtx' && t.parameters.some((p) => p.name === 'apt' && ids.has(Number(p.value)));
  const first = types.filter((t) => ids.has(t.id) || repairs(t));
  return [...first, ...types.filter((t) => !first.includes(t))];
}

/** [media, owner, sources, groups] for each owner and media type in a Jingle (JSON sources and XML sources). */
function sourcesOf(j: Jingle): Array<[Media, string, Source[], SsrcGroup[]]> {
  const out: Array<[Media, string, Source[], SsrcGroup[]]> = [];
  for (const [owner, set] of j.jsonSources ?? new Map<string, EndpointSources>()) {
    for (const media of ['audio', 'video'] as const)
      if (set[media].sources.length > 0) out.push([media, owner, set[media].sources, set[media].groups]);
  }
  for (const c of j.contents) {
    const d = c.description;
    if (d === undefined || (d.media !== 'audio' && d.media !== 'video') || d.sources.length === 0) continue;
    const owners = new Map<string, Source[]>();
    for (const s of d.sources) {
      const owner = s.owner ?? ownerFromName(s);
      owners.set(owner, [...(owners.get(owner) ?? []), s]);
    }
    for (const [owner, sources] of owners) out.push([d.media, owner, sources, d.ssrcGroups]);
  }
  return out;
}

/** `<endpoint>-a0` -> `<endpoint>`; sources without a name or owner are attributed to an unknown sender. */
function ownerFromName(s: Source): string {
  const m = s.name === undefined ? null : /^(.+)-[av]\d+$/.exec(s.name);
  return m?.[1] ?? 'unknown';
}

/** Groups SSRCs by the source they belong to (name, else msid, else the SSRC alone). */
function bySource(sources: readonly Source[]): Map<string, Source[]> {
  const map = new Map<string, Source[]>();
  for (const s of sources) {
    const key = s.name ?? s.msid ?? String(s.ssrc);
    map.set(key, [...(map.get(key) ?? []), s]);
  }
  return map;
}
