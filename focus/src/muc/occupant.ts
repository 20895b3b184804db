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
