import type { Element } from 'ltx';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/** One occupant of a MUC room as the focus sees it. */
export interface Occupant {
  /** The occupant's nick: lib-jitsi-meet's endpoint id. */
  nick: string;
  /** `room@conference…/nick`. */
  occupantJid: string;
  /** Real full JID (visible because rooms are whois=anyone). */
  jid: string | undefined;
  role: string;
  affiliation: string;
  /** The latest available presence, for the extensions the conference reads. */
  presence: Element;
}

export function mucUserX(presence: Element): Element | undefined {
  return presence.getChild('x', NS_MUC_USER);
}

/** MUC status codes (XEP-0045 §15.6) carried by a presence. */
export function statusCodes(presence: Element): number[] {
  return (mucUserX(presence)?.getChildren('status') ?? []).map((s) => Number(s.attrs.code));
}

/**
 * Whether a presence from a room is an occupant's: from `room@service/nick` and carrying `<x xmlns=muc#user>`.
 * ejabberd also sends each occupant the room's own presence (its caps) from the bare room address, with no muc#user
 * element: taken for an occupant it would be a phantom member whose nick is the whole address.
 */
export function isOccupantPresence(presence: Element): boolean {
  const from = String(presence.attrs.from ?? '');
  const slash = from.indexOf('/');
  return slash > 0 && slash < from.length - 1 && mucUserX(presence) !== undefined;
}

export function occupantFrom(presence: Element): Occupant {
  const from = String(presence.attrs.from);
  const item = mucUserX(presence)?.getChild('item');
  return {
    nick: from.slice(from.indexOf('/') + 1),
    occupantJid: from,
    jid: typeof item?.attrs.jid === 'string' ? item.attrs.jid : undefined,
    role: typeof item?.attrs.role === 'string' ? item.attrs.role : 'none',
    affiliation: typeof item?.attrs.affiliation === 'string' ? item.attrs.affiliation : 'none',
    presence,
  };
}
