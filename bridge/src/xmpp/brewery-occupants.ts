import type { Element } from 'ltx';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/**
 * The real JID of every brewery occupant, from its latest presence (the brewery is whois=anyone). An IQ a focus
 * sends to our occupant JID reaches us from ITS occupant JID (Prosody rewrites `from`), so this is how we learn
 * who really sent it: the nick proves nothing, anyone in the room can take `focus` while the focus is away.
 */
export class BreweryOccupants {
  /** The room's bare JID, lowercased: Prosody folds the case of room names, a configured name may not. */
  readonly #room: string;
  readonly #realJids = new Map<string, string | undefined>();

  constructor(breweryRoom: string) {
    this.#room = breweryRoom.toLowerCase();
  }

  /** Records an occupant's presence (available: its real JID; unavailable: gone). Other presences are ignored. */
  onPresence(presence: Element): void {
    const key = this.#keyOf(String(presence.attrs.from ?? ''));
    // Only occupants' presences: from `room/nick` (keyOf) with muc#user. ejabberd also sends the room's own
    // presence from the bare room address, and a presence without muc#user tells nothing about an occupant.
    const x = presence.getChild('x', NS_MUC_USER);
    if (key === undefined || x === undefined) return;
    const type = presence.attrs.type as string | undefined;
    if (type === 'unavailable') this.#realJids.delete(key);
    else if (type === undefined) {
      const jid: unknown = x.getChild('item')?.attrs.jid;
      this.#realJids.set(key, typeof jid === 'string' && jid !== '' ? jid : undefined);
    }
  }

  /** Out of the room: everyone is forgotten; the next join lists them all again. */
  clear(): void {
    this.#realJids.clear();
  }

  /**
   * The real JID behind a stanza's `from`: for an occupant, the one its presence showed (undefined when unknown or
   * hidden); for anyone else, `from` itself, which the server stamped (c2s) or checked (a component's own domain).
   */
  senderOf(from: string): string | undefined {
    const key = this.#keyOf(from);
    return key === undefined ? from : this.#realJids.get(key);
  }

  #keyOf(jid: string): string | undefined {
    const slash = jid.indexOf('/');
    if (slash === -1 || jid.slice(0, slash).toLowerCase() !== this.#room) return undefined;
    return `${this.#room}${jid.slice(slash)}`;
  }
}
