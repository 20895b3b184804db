import type { Occupant } from '../muc/occupant.js';

/**
 * The real JIDs the focus should make owner (moderator) in a room, as Jicofo's role managers decide.
 * - Without authentication (auto-owner): the first member, when no member is owner.
 * - With authentication (`authenticated` given): every member whose real JID is authenticated, and nobody else;
 *   guests never get owner by default.
 * Visitors never count.
 */
export function ownersToGrant(occupants: readonly Occupant[], authenticated?: (realJid: string) => boolean): string[] {
  const members = occupants.filter((o) => o.role !== 'visitor');
  if (authenticated !== undefined)
    return members.flatMap((o) =>
      o.jid !== undefined && o.affiliation !== 'owner' && authenticated(o.jid) ? [o.jid] : [],
    );
  if (members.length === 0 || members.some((o) => o.affiliation === 'owner')) return [];
  const first = members[0]?.jid;
  return first === undefined ? [] : [first];
}
