// One room's muting rules, as Jicofo keeps them: start-muted limits from the request that created the room
// (start-muted.ts), and AV moderation from Prosody's av_moderation component. With moderation on for a media, a
// member who is neither moderator nor on its whitelist is force-muted on the bridge (the bridge drops that media
// from it: a modified client that unmutes anyway sends nothing) and may not unmute itself.
import type { AvModerationMessage, ModeratedMedia } from '@convene/protocol/jitsi';
import type { ForceMute } from '@convene/protocol/colibri2';
import type { StartMuted } from '@convene/protocol/jingle';
import type { Occupant } from '../muc/occupant.js';
import { startMutedFor, type StartMutedLimits } from './start-muted.js';

const MEDIA: readonly ModeratedMedia[] = ['audio', 'video'];

export class MutePolicy {
  /** From the request that created the room. */
  startMuted: StartMutedLimits = {};
  readonly #enabled = { audio: false, video: false };
  readonly #whitelist = { audio: new Set<string>(), video: new Set<string>() };

  moderated(media: ModeratedMedia): boolean {
    return this.#enabled[media];
  }

  /** Whether `o` may unmute `media` itself: always, unless moderation is on and it is no moderator nor listed. */
  mayUnmute(o: Occupant, media: ModeratedMedia): boolean {
    return !this.#enabled[media] || o.role === 'moderator' || this.#whitelist[media].has(o.occupantJid);
  }

  /** What the bridge should drop from `o` now. */
  forceMuteOf(o: Occupant): ForceMute {
    return { audio: !this.mayUnmute(o, 'audio'), video: !this.mayUnmute(o, 'video') };
  }

  /**
   * What an invite says: the bridge's force-mute, and `<startmuted>` (moderation, and on `first` invite only the
   * room's limits: lib-jitsi-meet mutes itself at every `<startmuted>`, and a bridge move re-invites everyone).
   */
  forInvite(
    o: Occupant,
    members: number,
    first: boolean,
  ): { forceMute: ForceMute; startMuted: StartMuted | undefined } {
    const forceMute = this.forceMuteOf(o);
    const limits = first ? startMutedFor(this.startMuted, members) : undefined;
    const audio = forceMute.audio === true || limits?.audio === true;
    const video = forceMute.video === true || limits?.video === true;
    return { forceMute, startMuted: audio || video ? { audio, video } : undefined };
  }

  /** Applies a message of the component; returns the media whose moderation it just turned on. */
  apply(m: AvModerationMessage): ModeratedMedia[] {
    for (const media of MEDIA) {
      const list = m.whitelists?.[media];
      if (list !== undefined) this.#whitelist[media] = new Set(list);
    }
    if (m.mediaType === undefined || m.enabled === undefined) return [];
    const was = this.#enabled[m.mediaType];
    this.#enabled[m.mediaType] = m.enabled;
    return m.enabled && !was ? [m.mediaType] : [];
  }
}
