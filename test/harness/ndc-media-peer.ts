// A node-datachannel (libdatachannel) peer for bridge tests: an independent ICE/DTLS/SRTP stack.
// The bridge is the offerer (setup actpass, ICE-controlling), as it is towards lib-jitsi-meet.
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import type { IceCandidate, TransportParams } from '@convene/bridge/conference';
import { waitUntil } from './wait-for.js';

export const AUDIO_PT = 111;
export const VIDEO_PT = 100;

export interface MediaStreamSpec {
  ssrc: number;
  kind: 'audio' | 'video';
}

export interface NdcMediaPeerOptions {
  name: string;
  audioSsrc: number;
  videoSsrc: number;
  /** SSRCs this peer will receive (listed in the offer so libdatachannel maps them to the tracks). */
  receive: readonly MediaStreamSpec[];
  /**
   * Rewrites the bridge's `actpass` to `active` in the offer so libdatachannel answers `passive` and the
   * bridge becomes the DTLS client (PROTOCOL.md §8: passive peer -> bridge is client).
   */
  bridgeDtlsClient?: boolean;
}

/** Builds the bridge's SDP offer (audio mid 0, video mid 1, BUNDLE, rtcp-mux) from its transport. */
export function buildBridgeOffer(local: TransportParams, receive: readonly MediaStreamSpec[]): string {
  const fp = local.fingerprints[0]!;
  const transport = [
    `a=ice-ufrag:${local.ufrag}`,
    `a=ice-pwd:${local.pwd}`,
    `a=fingerprint:${fp.hash} ${fp.value}`,
    `a=setup:${fp.setup}`,
  ];
  const candidates = local.candidates.map(
    (c, i) => `a=candidate:${i + 1} 1 udp ${c.priority} ${c.address} ${c.port} typ ${c.type}`,
  );
  const ssrcs = (kind: 'audio' | 'video'): string[] =>
    receive.filter((s) => s.kind === kind).flatMap((s) => [`a=ssrc:${s.ssrc} cname:bridge-${s.ssrc}`]);
  const media = (kind: 'audio' | 'video', mid: string, pt: number, rtpmap: string, fb: string[]): string[] => [
    `m=${kind} 9 UDP/TLS/RTP/SAVPF ${pt}`,
    'c=IN IP4 0.0.0.0',
    `a=mid:${mid}`,
    'a=sendrecv',
    'a=rtcp-mux',
    `a=rtpmap:${pt} ${rtpmap}`,
    ...fb,
    ...transport,
    ...candidates,
    ...ssrcs(kind),
  ];
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    ...media('audio', '0', AUDIO_PT, 'opus/48000/2', []),
    ...media('video', '1', VIDEO_PT, 'VP8/90000', [`a=rtcp-fb:${VIDEO_PT} nack pli`]),
    '',
  ].join('\r\n');
}

/** Reads the transport out of the peer's SDP answer. */
export function parseAnswerTransport(sdp: string): TransportParams {
  const line = (name: string): string => {
    const m = new RegExp(`^a=${name}:(.*)$`, 'm').exec(sdp);
    if (m === null) throw new Error(`answer has no a=${name}`);
    return m[1]!.trim();
  };
  const [hash = '', value = ''] = line('fingerprint').split(' ');
  const setup = line('setup') as 'active' | 'passive' | 'actpass';
  const candidates: IceCandidate[] = [];
  for (const m of sdp.matchAll(/^a=candidate:\S+ 1 udp (\d+) (\S+) (\d+) typ (\w+)/gim)) {
    candidates.push({ priority: Number(m[1]), address: m[2]!, port: Number(m[3]), type: m[4] as IceCandidate['type'] });
  }
  return { ufrag: line('ice-ufrag'), pwd: line('ice-pwd'), fingerprints: [{ hash, value, setup }], candidates };
}

/** Builds an RTP packet: version 2, the given payload type, seq, timestamp and SSRC. */
export function buildRtp(pt: number, seq: number, ssrc: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = pt & 0x7f;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 3000) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(b, 12);
  return b;
}

/** One received RTP packet, as the peer saw it after SRTP. */
export interface ReceivedRtp {
  ssrc: number;
  seq: number;
  pt: number;
  payload: Buffer;
}

/** A node-datachannel peer connected to one bridge endpoint. */
export class NdcMediaPeer {
  readonly name: string;
  readonly pc: PeerConnection;
  readonly audio: Track;
  readonly video: Track;
  readonly rtp: ReceivedRtp[] = [];
  /** RTCP packets (whole compound datagrams) the peer received. */
  readonly rtcp: Buffer[] = [];
  readonly opts: NdcMediaPeerOptions;
  #state = 'new';

  private constructor(opts: NdcMediaPeerOptions, pc: PeerConnection, audio: Track, video: Track) {
    this.name = opts.name;
    this.opts = opts;
    this.pc = pc;
    this.audio = audio;
    this.video = video;
    pc.onStateChange((s) => (this.#state = s));
    for (const t of [audio, video]) t.onMessage((m) => this.#onMessage(m));
  }

  get state(): string {
    return this.#state;
  }

  /**
   * Answers the bridge's offer built from `local`; resolves with the answer's transport once ICE
   * gathering completed, which the caller passes to `Endpoint.setRemoteTransport`.
   */
  static async answer(
    local: TransportParams,
    opts: NdcMediaPeerOptions,
  ): Promise<{ peer: NdcMediaPeer; remote: TransportParams }> {
    const pc = new nodeDataChannel.PeerConnection(opts.name, { iceServers: [], bindAddress: '127.0.0.1' });
    const audioDesc = new nodeDataChannel.Audio('0', 'SendRecv');
    audioDesc.addOpusCodec(AUDIO_PT);
    audioDesc.addSSRC(opts.audioSsrc, `${opts.name}-a`, opts.name, `${opts.name}-audio`);
    const videoDesc = new nodeDataChannel.Video('1', 'SendRecv');
    videoDesc.addVP8Codec(VIDEO_PT);
    videoDesc.addSSRC(opts.videoSsrc, `${opts.name}-v`, opts.name, `${opts.name}-video`);
    const audio = pc.addTrack(audioDesc);
    const video = pc.addTrack(videoDesc);
    const peer = new NdcMediaPeer(opts, pc, audio, video);
    let gathered = false;
    pc.onGatheringStateChange((s) => {
      if (s === 'complete') gathered = true;
    });
    let offer = buildBridgeOffer(local, opts.receive);
    if (opts.bridgeDtlsClient === true) offer = offer.replaceAll('a=setup:actpass', 'a=setup:active');
    pc.setRemoteDescription(offer, 'offer');
    await waitUntil(`${opts.name} ICE gathering`, () => gathered && pc.localDescription() !== null, 5_000);
    return { peer, remote: parseAnswerTransport(pc.localDescription()!.sdp) };
  }

  /** Waits until both tracks are open (DTLS-SRTP done). */
  async opened(timeoutMs = 10_000): Promise<void> {
    await waitUntil(`${this.name} tracks open`, () => this.audio.isOpen() && this.video.isOpen(), timeoutMs);
  }

  send(kind: 'audio' | 'video', seq: number, payload: Buffer): boolean {
    const pt = kind === 'audio' ? AUDIO_PT : VIDEO_PT;
    const ssrc = kind === 'audio' ? this.opts.audioSsrc : this.opts.videoSsrc;
    return (kind === 'audio' ? this.audio : this.video).sendMessageBinary(buildRtp(pt, seq, ssrc, payload));
  }

  /** Sends a raw RTCP packet on the video track (libdatachannel protects it as SRTCP). */
  sendRtcp(packet: Buffer): boolean {
    return this.video.sendMessageBinary(packet);
  }

  #onMessage(m: Buffer): void {
    if (m.length < 12) return;
    const pt = m[1]! & 0x7f;
    if (m[1]! >= 192 && m[1]! <= 223) {
      this.rtcp.push(Buffer.from(m));
      return;
    }
    this.rtp.push({ ssrc: m.readUInt32BE(8), seq: m.readUInt16BE(2), pt, payload: Buffer.from(m.subarray(12)) });
  }

  close(): void {
    this.pc.close();
  }
}

/** Builds a PLI (RFC 4585 §6.3.1) from `senderSsrc` about `mediaSsrc`. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  return b;
}

/** The parts of a bridge conference the helper below needs (structural, to keep the harness loose). */
interface ConferenceLike {
  createEndpoint(id: string): {
    localTransport(): TransportParams;
    setRemoteTransport(t: TransportParams): void;
    setSources(s: ReadonlyArray<{ ssrc: number; kind: 'audio' | 'video' }>): void;
  };
}

/** Creates an endpoint on `conference`, answers it with a node-datachannel peer and signals both ways. */
export async function joinNdcPeer(
  conference: ConferenceLike,
  opts: NdcMediaPeerOptions,
): Promise<{ peer: NdcMediaPeer; endpoint: ReturnType<ConferenceLike['createEndpoint']> }> {
  const endpoint = conference.createEndpoint(opts.name);
  const { peer, remote } = await NdcMediaPeer.answer(endpoint.localTransport(), opts);
  endpoint.setSources([
    { ssrc: opts.audioSsrc, kind: 'audio' },
    { ssrc: opts.videoSsrc, kind: 'video' },
  ]);
  endpoint.setRemoteTransport(remote);
  return { peer, endpoint };
}

/** Ends libdatachannel's threads so the test process can exit; call after every peer is closed. */
export function closeNdc(): void {
  nodeDataChannel.cleanup();
}
