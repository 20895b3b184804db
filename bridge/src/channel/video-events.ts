// What the media side's video allocation tells clients, and the bridge-channel messages JVB sends for it
// (PROTOCOL.md §7.4). The event shape mirrors conference/'s VideoEvent structurally (channel/ imports no media code).
import type { JsonObject } from './channel-message.js';

export type ChannelVideoEvent =
  | { type: 'forwardedsources'; endpointId: string; sources: readonly string[] }
  | { type: 'dominantspeaker'; endpointId: string; previous: readonly string[] }
  | { type: 'senderconstraints'; endpointId: string; sourceName: string; maxHeight: number }
  | {
      type: 'sourcesmap';
      endpointId: string;
      kind: 'video' | 'audio';
      mapped: readonly { source: string; owner: string; ssrc: number; rtx?: number; videoType?: string }[];
    };

export function videoEventMessage(e: ChannelVideoEvent): JsonObject {
  switch (e.type) {
    case 'forwardedsources':
      return { colibriClass: 'ForwardedSources', forwardedSources: [...e.sources] };
    case 'dominantspeaker':
      return {
        colibriClass: 'DominantSpeakerEndpointChangeEvent',
        dominantSpeakerEndpoint: e.endpointId,
        previousSpeakers: [...e.previous],
        silence: false,
      };
    case 'senderconstraints':
      return { colibriClass: 'SenderSourceConstraints', sourceName: e.sourceName, maxHeight: e.maxHeight };
    case 'sourcesmap':
      // SSRC rewriting (PROTOCOL.md §7.4): what each pool SSRC of the receiver carries from now on.
      if (e.kind === 'audio')
        return {
          colibriClass: 'AudioSourcesMap',
          mappedSources: e.mapped.map((m) => ({ source: m.source, owner: m.owner, ssrc: m.ssrc })),
        };
      return {
        colibriClass: 'VideoSourcesMap',
        mappedSources: e.mapped.map((m) => ({
          source: m.source,
          owner: m.owner,
          ssrc: m.ssrc,
          rtx: m.rtx ?? 0,
          videoType: m.videoType ?? 'CAMERA',
        })),
      };
  }
}
