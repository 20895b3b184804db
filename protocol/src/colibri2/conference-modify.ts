import type { Element } from 'ltx';
import { NS_COLIBRI2 } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optBool, reqAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type MeetingId, toMeetingId } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import { type Colibri2Endpoint, buildColibri2Endpoint, parseColibri2Endpoint } from './endpoint.js';
import { type Colibri2Relay, buildColibri2Relay, parseColibri2Relay } from './relay.js';

/** `<conference-modify xmlns="jitsi:colibri2" meeting-id>`: focus → bridge. */
export interface ConferenceModify {
  meetingId: MeetingId;
  /** Room JID; sent with `create`. */
  name?: string;
  create?: boolean;
  expire?: boolean;
  /** Only written when false (default true). */
  rtcstatsEnabled?: boolean;
  endpoints: Colibri2Endpoint[];
  relays: Colibri2Relay[];
}

/** Parses `<conference-modify>`. */
export function parseConferenceModify(el: Element): ConferenceModify {
  expectElement(el, 'conference-modify', NS_COLIBRI2);
  const meetingId = reqAttr(el, 'meeting-id');
  const cm: ConferenceModify = {
    meetingId: withContext('<conference-modify>', () => toMeetingId(meetingId)),
    endpoints: childrenOf(el, 'endpoint', NS_COLIBRI2).map(parseColibri2Endpoint),
    relays: childrenOf(el, 'relay', NS_COLIBRI2).map(parseColibri2Relay),
  };
  const name = optAttr(el, 'name');
  if (name !== undefined) cm.name = name;
  const create = optBool(el, 'create');
  if (create !== undefined) cm.create = create;
  const expire = optBool(el, 'expire');
  if (expire !== undefined) cm.expire = expire;
  const rtcstats = optBool(el, 'rtcstats-enabled');
  if (rtcstats !== undefined) cm.rtcstatsEnabled = rtcstats;
  return cm;
}

/** Builds `<conference-modify>`. */
export function buildConferenceModify(cm: ConferenceModify): Element {
  return xmlElement(
    'conference-modify',
    {
      xmlns: NS_COLIBRI2,
      'meeting-id': cm.meetingId,
      name: cm.name,
      create: cm.create,
      expire: cm.expire,
      'rtcstats-enabled': cm.rtcstatsEnabled,
    },
    [...cm.endpoints.map(buildColibri2Endpoint), ...cm.relays.map(buildColibri2Relay)],
  );
}
