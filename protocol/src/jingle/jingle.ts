import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_FOCUS, NS_JINGLE, NS_JINGLE_GROUP, NS_JITMEET, NS_START_MUTED } from '../xml/namespaces.js';
import {
  childrenOf,
  expectElement,
  optAttr,
  optBool,
  optChild,
  reqAttr,
  reqEnum,
  textOf,
} from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type SourceMap } from '../sources/source-map.js';
import { buildJsonSources, parseJsonSources } from '../sources/json-sources.js';
import { type JingleContent, buildContent, parseContent } from './content.js';
import { type JingleReason, buildReason, parseReason } from './reason.js';
import { type BridgeSession, buildBridgeSession, parseBridgeSession } from './bridge-session.js';

export const JINGLE_ACTIONS = [
  'content-accept',
  'content-add',
  'content-modify',
  'content-reject',
  'content-remove',
  'description-info',
  'security-info',
  'session-accept',
  'session-info',
  'session-initiate',
  'session-terminate',
  'source-add',
  'source-remove',
  'transport-accept',
  'transport-info',
  'transport-reject',
  'transport-replace',
] as const;
export type JingleAction = (typeof JINGLE_ACTIONS)[number];

/** `<group xmlns="urn:xmpp:jingle:apps:grouping:0" semantics>`: BUNDLE of content names. */
export interface ContentGroup {
  semantics: string;
  contents: string[];
}

/** `<startmuted xmlns="http://jitsi.org/jitmeet/start-muted" audio video>`. */
export interface StartMuted {
  audio?: boolean;
  video?: boolean;
}

/** A `<jingle xmlns="urn:xmpp:jingle:1">` element with Jitsi's extensions. */
export interface Jingle {
  action: JingleAction;
  sid: string;
  initiator?: string;
  responder?: string;
  contents: JingleContent[];
  groups: ContentGroup[];
  reason?: JingleReason;
  bridgeSession?: BridgeSession;
  startMuted?: StartMuted;
  /** Remote sources from `<json-message xmlns="http://jitsi.org/jitmeet">` (§4.4). */
  jsonSources?: SourceMap;
  /** Legacy `<ice-state xmlns="http://jitsi.org/protocol/focus">` in session-info. */
  iceState?: string;
}

/** Parses `<jingle>`. */
export function parseJingle(el: Element): Jingle {
  expectElement(el, 'jingle', NS_JINGLE);
  const j: Jingle = {
    action: reqEnum(el, 'action', JINGLE_ACTIONS),
    sid: reqAttr(el, 'sid'),
    contents: childrenOf(el, 'content', NS_JINGLE).map(parseContent),
    groups: childrenOf(el, 'group', NS_JINGLE_GROUP).map(parseGroup),
  };
  const initiator = optAttr(el, 'initiator');
  if (initiator !== undefined) j.initiator = initiator;
  const responder = optAttr(el, 'responder');
  if (responder !== undefined) j.responder = responder;
  const reason = optChild(el, 'reason', NS_JINGLE);
  if (reason !== undefined) j.reason = parseReason(reason);
  const bs = optChild(el, 'bridge-session', NS_FOCUS);
  if (bs !== undefined) j.bridgeSession = parseBridgeSession(bs);
  const sm = optChild(el, 'startmuted', NS_START_MUTED);
  if (sm !== undefined) {
    j.startMuted = {};
    const audio = optBool(sm, 'audio');
    if (audio !== undefined) j.startMuted.audio = audio;
    const video = optBool(sm, 'video');
    if (video !== undefined) j.startMuted.video = video;
  }
  const json = optChild(el, 'json-message', NS_JITMEET);
  if (json !== undefined) j.jsonSources = parseJsonSources(json.getText());
  const ice = optChild(el, 'ice-state', NS_FOCUS);
  if (ice !== undefined) j.iceState = textOf(ice);
  return j;
}

function parseGroup(el: Element): ContentGroup {
  const semantics = optAttr(el, 'semantics') ?? optAttr(el, 'type');
  if (semantics === undefined || semantics === '')
    throw new ProtocolError('missing-attribute', `<group xmlns="${NS_JINGLE_GROUP}"> needs attribute 'semantics'`);
  return { semantics, contents: childrenOf(el, 'content', NS_JINGLE_GROUP).map((c) => reqAttr(c, 'name')) };
}

/** Builds `<jingle>` in the order of PROTOCOL.md §4.2. */
export function buildJingle(j: Jingle): Element {
  return xmlElement(
    'jingle',
    { xmlns: NS_JINGLE, action: j.action, sid: j.sid, initiator: j.initiator, responder: j.responder },
    [
      j.reason !== undefined && buildReason(j.reason),
      ...j.contents.map(buildContent),
      ...j.groups.map((g) =>
        xmlElement(
          'group',
          { xmlns: NS_JINGLE_GROUP, semantics: g.semantics },
          g.contents.map((name) => xmlElement('content', { name })),
        ),
      ),
      j.bridgeSession !== undefined && buildBridgeSession(j.bridgeSession),
      j.startMuted !== undefined &&
        xmlElement('startmuted', { xmlns: NS_START_MUTED, audio: j.startMuted.audio, video: j.startMuted.video }),
      j.jsonSources !== undefined &&
        xmlElement('json-message', { xmlns: NS_JITMEET }, [buildJsonSources(j.jsonSources)]),
      j.iceState !== undefined && xmlElement('ice-state', { xmlns: NS_FOCUS }, [j.iceState]),
    ],
  );
}
