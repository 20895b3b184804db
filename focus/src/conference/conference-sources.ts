import { ProtocolError, type EndpointId, type Ssrc } from '@convene/protocol/lib';
import {
  SEMANTICS_FID,
  SEMANTICS_SIM,
  emptyEndpointSources,
  type EndpointSources,
  type MediaSources,
  type SourceMap,
  type SsrcGroup,
} from '@convene/protocol/sources';

/** Jicofo's per-endpoint limits (PROTOCOL.md §4.4). */
export const MAX_SSRCS_PER_ENDPOINT = 20;
export const MAX_GROUPS_PER_ENDPOINT = 20;

type Kind = 'audio' | 'video';
const KINDS: readonly Kind[] = ['audio', 'video'];

/**
 * Every source of a conference, by owner. Changes are validated in full, then committed in full: a bad
 * source-add changes nothing (Jicofo's ValidatingConferenceSourceMap).
 */
export class ConferenceSources {
  readonly #byOwner = new Map<EndpointId, EndpointSources>();

  /** Adds an endpoint's sources; returns what was added (owner set on each source). Throws ProtocolError. */
  tryAdd(owner: EndpointId, add: EndpointSources): EndpointSources {
    const current = this.#byOwner.get(owner) ?? emptyEndpointSources();
    const added = emptyEndpointSources();
    const ownSsrcs = new Set<number>();
    for (const kind of KINDS) for (const s of current[kind].sources) ownSsrcs.add(s.ssrc);
    const taken = this.#ssrcOwners();
    for (const kind of KINDS) {
      for (const s of add[kind].sources) {
        const other = taken.get(s.ssrc);
        if (other !== undefined && other !== owner) {
          throw new ProtocolError('ssrc-conflict', `SSRC ${s.ssrc} of ${owner} is already used by ${other}`);
        }
        if (ownSsrcs.has(s.ssrc)) continue; // re-announced: nothing new
        ownSsrcs.add(s.ssrc);
        added[kind].sources.push({ ...s, owner });
      }
      for (const g of add[kind].groups) {
        if (g.semantics !== SEMANTICS_SIM && g.semantics !== SEMANTICS_FID) continue; // Jicofo drops other semantics
        if (current[kind].groups.some((x) => sameGroup(x, g))) continue;
        added[kind].groups.push(g);
      }
    }
    const merged = mergeSources(current, added);
    validateEndpoint(owner, merged);
    this.#byOwner.set(owner, merged);
    return added;
  }

  /** Removes the listed sources and groups of one endpoint; returns what was actually there. */
  remove(owner: EndpointId, remove: EndpointSources): EndpointSources {
    const current = this.#byOwner.get(owner);
    const removed = emptyEndpointSources();
    if (current === undefined) return removed;
    const next = emptyEndpointSources();
    for (const kind of KINDS) {
      const gone = new Set<number>(remove[kind].sources.map((s) => s.ssrc));
      for (const s of current[kind].sources) (gone.has(s.ssrc) ? removed : next)[kind].sources.push(s);
      for (const g of current[kind].groups) {
        const explicit = remove[kind].groups.some((x) => sameGroup(x, g));
        const orphaned = g.ssrcs.some((ssrc) => gone.has(ssrc));
        (explicit || orphaned ? removed : next)[kind].groups.push(g);
      }
    }
    this.#byOwner.set(owner, next);
    return removed;
  }

  removeEndpoint(owner: EndpointId): void {
    this.#byOwner.delete(owner);
  }

  /** One endpoint's full source set (what the bridge is told: a full replacement each time). */
  of(owner: EndpointId): EndpointSources {
    return this.#byOwner.get(owner) ?? emptyEndpointSources();
  }

  /** Everyone's sources except `receiver`'s, as receivers get them: simulcast stripped to the first layer. */
  forReceiver(receiver: EndpointId | undefined): SourceMap {
    const map: SourceMap = new Map();
    for (const [owner, set] of this.#byOwner) {
      if (owner === receiver) continue;
      const stripped = stripSimulcast(set);
      if (stripped.audio.sources.length + stripped.video.sources.length > 0) map.set(owner, stripped);
    }
    return map;
  }

  #ssrcOwners(): Map<number, EndpointId> {
    const owners = new Map<number, EndpointId>();
    for (const [owner, set] of this.#byOwner) {
      for (const kind of KINDS) for (const s of set[kind].sources) owners.set(s.ssrc, owner);
    }
    return owners;
  }
}

function sameGroup(a: SsrcGroup, b: SsrcGroup): boolean {
  return a.semantics === b.semantics && a.ssrcs.length === b.ssrcs.length && a.ssrcs.every((s, i) => s === b.ssrcs[i]);
}

function mergeSources(a: EndpointSources, b: EndpointSources): EndpointSources {
  const m = (x: MediaSources, y: MediaSources): MediaSources => ({
    sources: [...x.sources, ...y.sources],
    groups: [...x.groups, ...y.groups],
  });
  return { audio: m(a.audio, b.audio), video: m(a.video, b.video) };
}

function validateEndpoint(owner: EndpointId, set: EndpointSources): void {
  const ssrcCount = set.audio.sources.length + set.video.sources.length;
  if (ssrcCount > MAX_SSRCS_PER_ENDPOINT) {
    throw new ProtocolError(
      'too-many-sources',
      `${owner} would have ${ssrcCount} SSRCs (max ${MAX_SSRCS_PER_ENDPOINT})`,
    );
  }
  const groupCount = set.audio.groups.length + set.video.groups.length;
  if (groupCount > MAX_GROUPS_PER_ENDPOINT) {
    throw new ProtocolError(
      'too-many-groups',
      `${owner} would have ${groupCount} groups (max ${MAX_GROUPS_PER_ENDPOINT})`,
    );
  }
  for (const kind of KINDS) {
    const bySsrc = new Map(set[kind].sources.map((s) => [s.ssrc as number, s]));
    for (const g of set[kind].groups) {
      if (g.semantics === SEMANTICS_FID && g.ssrcs.length !== 2) {
        throw new ProtocolError('bad-group', `${owner}: FID group needs exactly 2 SSRCs, has ${g.ssrcs.length}`);
      }
      if (g.ssrcs.length === 0) throw new ProtocolError('bad-group', `${owner}: empty ${g.semantics} group`);
      const msids = new Set<string | undefined>();
      for (const ssrc of g.ssrcs) {
        const s = bySsrc.get(ssrc);
        if (s === undefined)
          throw new ProtocolError('bad-group', `${owner}: ${g.semantics} group names unknown SSRC ${ssrc}`);
        msids.add(s.msid);
      }
      if (msids.size > 1)
        throw new ProtocolError('bad-group', `${owner}: SSRCs of a ${g.semantics} group have different msids`);
    }
  }
}

/** Keeps only the first SIM layer and its RTX partner (Jicofo's strip-simulcast). */
export function stripSimulcast(set: EndpointSources): EndpointSources {
  const out = emptyEndpointSources();
  for (const kind of KINDS) {
    const drop = new Set<Ssrc>();
    const groups = set[kind].groups;
    for (const sim of groups.filter((g) => g.semantics === SEMANTICS_SIM)) {
      for (const higher of sim.ssrcs.slice(1)) {
        drop.add(higher);
        for (const fid of groups)
          if (fid.semantics === SEMANTICS_FID && fid.ssrcs[0] === higher) fid.ssrcs.forEach((s) => drop.add(s));
      }
    }
    out[kind].sources = set[kind].sources.filter((s) => !drop.has(s.ssrc));
    out[kind].groups = groups.filter((g) => g.semantics !== SEMANTICS_SIM && !g.ssrcs.some((s) => drop.has(s)));
  }
  return out;
}
