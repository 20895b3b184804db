// Moderator mute, as Jicofo decides it (JitsiMeetConferenceImpl.handleMuteRequest): a moderator may mute anyone;
// anyone may mute themselves; nobody may unmute someone else. Members are known by their room JIDs, and both must
// be members of the room the request came through: a request never reaches another conference.
import type { MuteRequest } from '@convene/protocol/jitsi';
import type { Occupant } from '../muc/occupant.js';

export type MuteDecision =
  /** Allowed: answer the asker, and tell `notify` (the member's room JID) when it is someone else. */
  | { allowed: true; notify: string | undefined }
  | { allowed: false; condition: 'not-allowed' | 'item-not-found'; reason: string };

/**
 * Decides `request` from `from` (the asker's room JID, as the MUC service stamped it) among the room's `members`.
 * A self-unmute is allowed unless `mayUnmuteSelf` says no (AV moderation: no moderator, not on its whitelist).
 */
export function decideMute(
  members: readonly Occupant[],
  from: string,
  request: MuteRequest,
  mayUnmuteSelf: (o: Occupant) => boolean = () => true,
): MuteDecision {
  const muter = members.find((m) => m.occupantJid === from);
  if (muter === undefined) return { allowed: false, condition: 'not-allowed', reason: 'asker is no member' };
  const self = request.jid === from;
  if (!self && muter.role !== 'moderator')
    return { allowed: false, condition: 'not-allowed', reason: 'only moderators mute others' };
  if (!self && !request.mute)
    return { allowed: false, condition: 'not-allowed', reason: 'nobody unmutes someone else' };
  if (self && !request.mute && !mayUnmuteSelf(muter))
    return { allowed: false, condition: 'not-allowed', reason: 'AV moderation: not allowed to unmute' };
  const target = self ? muter : members.find((m) => m.occupantJid === request.jid);
  if (target === undefined) return { allowed: false, condition: 'item-not-found', reason: 'no such member' };
  return { allowed: true, notify: self ? undefined : target.occupantJid };
}
