// Start muted, as Jicofo decides it (JitsiMeetConfig, hasToStartAudioMuted): the conference request that creates a
// room may carry the integer properties `startAudioMuted` / `startVideoMuted` (jitsi-meet's config of the same
// names); a participant invited while the room has more members than that is told, in its session-initiate, to
// start with its microphone / camera muted (`<startmuted xmlns='http://jitsi.org/jitmeet/start-muted'>`).
import type { StartMuted } from '@convene/protocol/jingle';

export interface StartMutedLimits {
  audio?: number;
  video?: number;
}

/** The limits a creating request asks for; a value that is not a whole number >= 0 is ignored, as Jicofo does. */
export function startMutedLimits(properties: Readonly<Record<string, string>>): StartMutedLimits {
  const limits: StartMutedLimits = {};
  const read = (name: string): number | undefined => {
    const raw = properties[name]?.trim();
    return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
  };
  const audio = read('startAudioMuted');
  const video = read('startVideoMuted');
  if (audio !== undefined) limits.audio = audio;
  if (video !== undefined) limits.video = video;
  return limits;
}

/** What an invite says with `members` in the room (the invited one included); undefined: nothing to say. */
export function startMutedFor(limits: StartMutedLimits, members: number): StartMuted | undefined {
  const audio = limits.audio !== undefined && members > limits.audio;
  const video = limits.video !== undefined && members > limits.video;
  return audio || video ? { audio, video } : undefined;
}
