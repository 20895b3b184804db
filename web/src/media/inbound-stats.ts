/** Per remote endpoint: what arrived and what was decoded. */
export interface InboundStats {
  audioBytes: number;
  audioPackets: number;
  videoBytes: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  /** totalAudioEnergy: above 0 once real sound (not silence) was decoded. */
  audioEnergy: number;
}

/** The inbound-rtp fields we read (lib.dom types stats loosely). */
export interface RtcInbound {
  type?: string;
  kind?: string;
  trackIdentifier?: string;
  audioLevel?: number;
  bytesReceived?: number;
  packetsReceived?: number;
  framesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  totalAudioEnergy?: number;
}

/** Sums inbound-rtp stats per owner (`ownerOf` maps a track id to an endpoint still shown, else undefined). */
export function sumInbound(
  report: RTCStatsReport,
  ownerOf: (trackId: string) => string | undefined,
): Record<string, InboundStats> {
  const out: Record<string, InboundStats> = {};
  report.forEach((s: RtcInbound) => {
    if (s.type !== 'inbound-rtp' || s.trackIdentifier === undefined) return;
    const owner = ownerOf(s.trackIdentifier);
    if (owner === undefined) return;
    const e = (out[owner] ??= {
      audioBytes: 0,
      audioPackets: 0,
      audioEnergy: 0,
      videoBytes: 0,
      framesDecoded: 0,
      frameWidth: 0,
      frameHeight: 0,
    });
    if (s.kind === 'audio') {
      e.audioBytes += s.bytesReceived ?? 0;
      e.audioPackets += s.packetsReceived ?? 0;
      e.audioEnergy += s.totalAudioEnergy ?? 0;
    } else {
      e.videoBytes += s.bytesReceived ?? 0;
      e.framesDecoded += s.framesDecoded ?? 0;
      e.frameWidth = Math.max(e.frameWidth, s.frameWidth ?? 0);
      e.frameHeight = Math.max(e.frameHeight, s.frameHeight ?? 0);
    }
  });
  return out;
}

/** Endpoints whose media `pc` still receives (m-lines not yet inactive), by the owners of its receivers' tracks. */
export function receivingFrom(
  pc: RTCPeerConnection | undefined,
  ownerOf: (trackId: string) => string | undefined,
): string[] {
  const owners = new Set<string>();
  for (const t of pc?.getTransceivers() ?? []) {
    const owner = ownerOf(t.receiver.track.id);
    if (owner !== undefined && (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv'))
      owners.add(owner);
  }
  return [...owners];
}
