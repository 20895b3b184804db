// Three VP8 simulcast encodings the way lib-jitsi-meet sends them (PROTOCOL.md §8): SSRC-signalled (a SIM group of
// three primaries, lowest first, plus one FID group each), made by munging our local answer before it is set.

/** The SSRCs added to our video m-line, kept across renegotiations so the browser keeps the same streams. */
export interface SimulcastSsrcs {
  primaries: number[];
  rtx: number[];
}

/** lib-jitsi-meet's VP8 bitrates (low, standard, high) for the 180p, 360p and 720p encodings (bps), lowest first. */
export const SIMULCAST_MAX_BITRATES = [200_000, 500_000, 1_500_000];
export const SIMULCAST_HEIGHTS = [180, 360, 720];

/**
 * Codecs sent as ONE encoding with in-band spatial and temporal layers, as jitsi-meet does: three spatial layers
 * (1/4, 1/2 and full size) of three temporal layers each, the upper spatial layers predicted from the lower ones
 * only at keyframes (K-SVC), so the bridge can give a receiver the base layer alone.
 */
export const SVC_CODECS: ReadonlySet<string> = new Set(['vp9', 'av1']);
export const SVC_SCALABILITY_MODE = 'L3T3_KEY';
/** lib-jitsi-meet's SVC bitrates (low, standard, high: all layers up to 180, 360, 720 together). */
const SVC_MAX_BITRATES: Readonly<Record<string, readonly number[]>> = {
  vp9: [100_000, 300_000, 1_200_000],
  av1: [100_000, 300_000, 1_000_000],
};

/**
 * The SVC encoding for the highest height any receiver needs (SenderSourceConstraints, -1: unlimited), as
 * lib-jitsi-meet does: fewer spatial layers rather than layers nobody gets (L3T3_KEY, L2T3_KEY at half size, L1T3
 * at a quarter), the capture scaled to the top one.
 */
export function svcEncoding(
  maxHeight: number,
  captureHeight: number,
  codec: string,
): { scalabilityMode: string; scaleResolutionDownBy: number; maxBitrate: number } {
  let layers = 3;
  if (maxHeight >= 0) while (layers > 1 && SIMULCAST_HEIGHTS[layers - 1]! > maxHeight) layers--;
  const bitrates = SVC_MAX_BITRATES[codec] ?? SVC_MAX_BITRATES.vp9!;
  return {
    scalabilityMode: layers === 3 ? SVC_SCALABILITY_MODE : layers === 2 ? 'L2T3_KEY' : 'L1T3',
    scaleResolutionDownBy: Math.max(1, captureHeight / SIMULCAST_HEIGHTS[layers - 1]!),
    maxBitrate: bitrates[layers - 1]!,
  };
}

function randomSsrc(): number {
  return (crypto.getRandomValues(new Uint32Array(1))[0]! % 0xfffffffe) + 1;
}

/**
 * Adds a SIM group of three to the m-line `mid` (its first SSRC stays the lowest layer) with RTX partners; returns
 * the SDP unchanged when that m-line sends nothing or already has a SIM group. `keep` reuses earlier SSRCs.
 */
export function mungeSimulcast(
  sdp: string,
  mid: string,
  keep?: SimulcastSsrcs,
): { sdp: string; ssrcs?: SimulcastSsrcs } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(/\r?\nm=/);
  const i = sections.findIndex((s, k) => k > 0 && s.split(/\r?\n/).includes(`a=mid:${mid}`));
  if (i < 0) return { sdp };
  const lines = sections[i]!.split(/\r?\n/);
  if (lines.some((l) => l.startsWith('a=ssrc-group:SIM'))) return { sdp };
  const ssrcLines = lines.filter((l) => l.startsWith('a=ssrc:'));
  if (ssrcLines.length === 0) return { sdp };
  const fid = lines.find((l) => l.startsWith('a=ssrc-group:FID '));
  const first = Number(ssrcLines[0]!.slice('a=ssrc:'.length).split(' ')[0]);
  const firstRtx = fid === undefined ? undefined : Number(fid.split(' ')[2]);
  const attrs = ssrcLines
    .filter((l) => l.startsWith(`a=ssrc:${first} `))
    .map((l) => l.slice(`a=ssrc:${first} `.length))
    .filter((a) => a.startsWith('cname:') || a.startsWith('msid:'));
  const ssrcs: SimulcastSsrcs = keep ?? {
    primaries: [first, randomSsrc(), randomSsrc()],
    rtx: firstRtx === undefined ? [] : [firstRtx, randomSsrc(), randomSsrc()],
  };
  ssrcs.primaries[0] = first;
  if (firstRtx !== undefined && ssrcs.rtx.length === 3) ssrcs.rtx[0] = firstRtx;
  const add: string[] = [];
  for (let k = 1; k < 3; k++) {
    for (const a of attrs) add.push(`a=ssrc:${ssrcs.primaries[k]} ${a}`);
    if (ssrcs.rtx.length === 3) for (const a of attrs) add.push(`a=ssrc:${ssrcs.rtx[k]} ${a}`);
  }
  const groups = [`a=ssrc-group:SIM ${ssrcs.primaries.join(' ')}`];
  if (ssrcs.rtx.length === 3)
    for (let k = 1; k < 3; k++) groups.push(`a=ssrc-group:FID ${ssrcs.primaries[k]} ${ssrcs.rtx[k]}`);
  // Keep the section's trailing empty line (the SDP ends with CRLF).
  const tail = lines[lines.length - 1] === '' ? [''] : [];
  const body = tail.length > 0 ? lines.slice(0, -1) : lines;
  sections[i] = [...body, ...add, ...groups, ...tail].join(eol);
  return { sdp: sections.join(`${eol}m=`), ssrcs };
}

/**
 * Sets the encodings' resolution scale and bitrate (lowest first) and turns off those above `maxHeight`
 * (SenderSourceConstraints: -1 unlimited, 0 none). Returns false when the browser made no simulcast encodings.
 */
export async function configureEncodings(
  sender: RTCRtpSender,
  maxHeight: number,
  captureHeight: number,
  codec = 'vp8',
): Promise<boolean> {
  if (SVC_CODECS.has(codec)) return configureSvc(sender, maxHeight, captureHeight, codec);
  const p = sender.getParameters();
  if (p.encodings.length !== 3) return false;
  p.encodings.forEach((e, k) => {
    e.scaleResolutionDownBy = Math.max(1, captureHeight / SIMULCAST_HEIGHTS[k]!);
    e.maxBitrate = SIMULCAST_MAX_BITRATES[k];
    // The lowest layer stays on unless nothing is wanted, so a receiver asking less than 180 still gets video.
    e.active = maxHeight !== 0 && (maxHeight < 0 || k === 0 || SIMULCAST_HEIGHTS[k]! <= maxHeight);
  });
  await sender.setParameters(p);
  return true;
}

/** The one SVC encoding (see `svcEncoding`), off when nobody watches (SenderSourceConstraints 0). */
async function configureSvc(
  sender: RTCRtpSender,
  maxHeight: number,
  captureHeight: number,
  codec: string,
): Promise<boolean> {
  const p = sender.getParameters();
  const e: (RTCRtpEncodingParameters & { scalabilityMode?: string }) | undefined = p.encodings[0];
  if (p.encodings.length !== 1 || e === undefined) return false;
  Object.assign(e, svcEncoding(maxHeight, captureHeight, codec));
  e.active = maxHeight !== 0;
  await sender.setParameters(p);
  return true;
}
