import type { Element } from 'ltx';
import { NS_CAPS, NS_CLIENT, NS_MUC_USER, NS_NICK } from '../xml/namespaces.js';
import { expectNamed, optAttr, optChild, optEnum, reqAttr, textOf, toBool } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type SourceInfoMap, buildSourceInfo, parseSourceInfo } from './source-info.js';

export const AFFILIATIONS = ['owner', 'admin', 'member', 'outcast', 'none'] as const;
export const ROLES = ['moderator', 'participant', 'visitor', 'none'] as const;

/** XEP-0115 caps: the key for disco#info caching. */
export interface Caps {
  hash: string;
  node: string;
  ver: string;
}

/** `muc#user` `<item>`: real JID (whois=anyone), affiliation, role. */
export interface MucUserItem {
  jid?: string;
  affiliation?: (typeof AFFILIATIONS)[number];
  role?: (typeof ROLES)[number];
}

/** The presence extensions of a participant the focus reads (PROTOCOL.md §3.2). */
export interface ParticipantPresence {
  statsId?: string;
  caps?: Caps;
  sourceInfo?: SourceInfoMap;
  /** `jitsi_participant_codecList`, lowercased. */
  codecList?: string[];
  /** Legacy single codec `jitsi_participant_codecType`. */
  codecType?: string;
  nick?: string;
  region?: string;
  diarize?: boolean;
  /** Legacy `audiomuted`/`videomuted`, used only without SourceInfo. */
  audioMuted?: boolean;
  videoMuted?: boolean;
  /** `features/feature@var` (jibri, jigasi, transcriber). */
  features: string[];
  mucUser?: MucUserItem;
}

/** Reads the participant extensions from a MUC `<presence>`. */
export function parseParticipantPresence(presence: Element): ParticipantPresence {
  expectNamed(presence, 'presence');
  const p: ParticipantPresence = { features: [] };
  const text = (name: string) => {
    const el = clientChild(presence, name);
    return el === undefined ? undefined : textOf(el);
  };
  const statsId = text('stats-id');
  if (statsId !== undefined) p.statsId = statsId;
  const sourceInfo = text('SourceInfo');
  if (sourceInfo !== undefined) p.sourceInfo = parseSourceInfo(sourceInfo);
  const codecList = text('jitsi_participant_codecList');
  if (codecList !== undefined)
    p.codecList = codecList
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '');
  const codecType = text('jitsi_participant_codecType');
  if (codecType !== undefined) p.codecType = codecType.toLowerCase();
  const region = text('jitsi_participant_region');
  if (region !== undefined) p.region = region;
  const diarize = text('jitsi_participant_diarize');
  if (diarize !== undefined) p.diarize = toBool('<jitsi_participant_diarize>', diarize);
  const audioMuted = text('audiomuted');
  if (audioMuted !== undefined) p.audioMuted = toBool('<audiomuted>', audioMuted);
  const videoMuted = text('videomuted');
  if (videoMuted !== undefined) p.videoMuted = toBool('<videomuted>', videoMuted);
  const caps = optChild(presence, 'c', NS_CAPS);
  if (caps !== undefined)
    p.caps = { hash: reqAttr(caps, 'hash'), node: reqAttr(caps, 'node'), ver: reqAttr(caps, 'ver') };
  const nick = optChild(presence, 'nick', NS_NICK);
  if (nick !== undefined) p.nick = textOf(nick);
  const features = clientChild(presence, 'features');
  if (features !== undefined)
    p.features = features
      .getChildElements()
      .filter((f) => f.getName() === 'feature')
      .map((f) => reqAttr(f, 'var'));
  const x = optChild(presence, 'x', NS_MUC_USER);
  const item = x === undefined ? undefined : optChild(x, 'item', NS_MUC_USER);
  if (item !== undefined) {
    p.mucUser = {};
    const jid = optAttr(item, 'jid');
    if (jid !== undefined) p.mucUser.jid = jid;
    const affiliation = optEnum(item, 'affiliation', AFFILIATIONS);
    if (affiliation !== undefined) p.mucUser.affiliation = affiliation;
    const role = optEnum(item, 'role', ROLES);
    if (role !== undefined) p.mucUser.role = role;
  }
  return p;
}

/** Builds the extension elements a participant puts in its presence (in lib-jitsi-meet's order). */
export function buildParticipantPresence(p: ParticipantPresence): Element[] {
  const text = (name: string, v: string | undefined) => v !== undefined && xmlElement(name, {}, [v]);
  const all = [
    text('stats-id', p.statsId),
    p.caps !== undefined && xmlElement('c', { xmlns: NS_CAPS, hash: p.caps.hash, node: p.caps.node, ver: p.caps.ver }),
    text('SourceInfo', p.sourceInfo === undefined ? undefined : buildSourceInfo(p.sourceInfo)),
    text('jitsi_participant_codecList', p.codecList?.join(',')),
    text('jitsi_participant_codecType', p.codecType),
    text('jitsi_participant_region', p.region),
    text('jitsi_participant_diarize', p.diarize?.toString()),
    text('audiomuted', p.audioMuted?.toString()),
    text('videomuted', p.videoMuted?.toString()),
    p.nick !== undefined && xmlElement('nick', { xmlns: NS_NICK }, [p.nick]),
    p.features.length > 0 &&
      xmlElement(
        'features',
        {},
        p.features.map((v) => xmlElement('feature', { var: v })),
      ),
    p.mucUser !== undefined &&
      xmlElement('x', { xmlns: NS_MUC_USER }, [
        xmlElement('item', { affiliation: p.mucUser.affiliation, role: p.mucUser.role, jid: p.mucUser.jid }),
      ]),
  ];
  return all.filter((e): e is Element => e !== false);
}

/** A child in the stanza's own namespace (`jabber:client`, or none when parsed standalone). */
function clientChild(el: Element, name: string): Element | undefined {
  return el.getChildElements().find((c) => c.getName() === name && (c.getNS() ?? NS_CLIENT) === NS_CLIENT);
}
