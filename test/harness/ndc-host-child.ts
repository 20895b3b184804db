// The child side of NdcHost: node-datachannel peer connections in their own process. libdatachannel 0.33 can
// abort or hang in cleanup() after a peer vanished (a killed bridge), so the parent never loads it; it kills this
// process instead of cleaning up.
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { buildRtp } from './ndc-media-peer.js';

const OPUS = 111;
const VP8 = 100;

interface Peer {
  nick: string;
  audioSsrc: number;
  videoSsrc: number;
  pcs: PeerConnection[];
  audio: Track | undefined;
  video: Track | undefined;
  tracks: Track[];
  /** Packets received, by the sender nick at the start of the payload: count and SSRCs. */
  from: Map<string, { count: number; ssrcs: Set<number> }>;
  seq: number;
}

export type NdcCommand =
  | {
      op: 'answer';
      id: string;
      nick: string;
      audioSsrc: number;
      videoSsrc: number;
      offer: string;
      audioMid: string;
      videoMid: string;
    }
  | { op: 'renegotiate'; id: string; offer: string }
  | { op: 'send'; id: string }
  | { op: 'stats'; id: string }
  | { op: 'close'; id: string };

const peers = new Map<string, Peer>();

function listen(p: Peer, t: Track): void {
  if (p.tracks.includes(t)) return;
  p.tracks.push(t);
  t.onMessage((m) => {
    if (m.length < 12 || (m[1]! >= 192 && m[1]! <= 223)) return; // RTCP
    // Video carries a minimal VP8 keyframe descriptor first (S=1, P=0): the bridge switches layers on keyframes.
    const at = m[12] === VP8_KEYFRAME[0] && m[13] === VP8_KEYFRAME[1] ? 14 : 12;
    const payload = m.toString('latin1', at, Math.min(m.length, at + 28));
    const sender = payload.slice(0, payload.indexOf(':'));
    let entry = p.from.get(sender);
    if (entry === undefined) p.from.set(sender, (entry = { count: 0, ssrcs: new Set() }));
    entry.count++;
    entry.ssrcs.add(m.readUInt32BE(8));
  });
}

async function answer(c: Extract<NdcCommand, { op: 'answer' }>): Promise<string> {
  let p = peers.get(c.id);
  if (p === undefined) {
    p = {
      nick: c.nick,
      audioSsrc: c.audioSsrc,
      videoSsrc: c.videoSsrc,
      pcs: [],
      audio: undefined,
      video: undefined,
      tracks: [],
      from: new Map(),
      seq: 0,
    };
    peers.set(c.id, p);
  }
  // A re-invite replaces the connection; the old one is closed (lib-jitsi-meet does the same).
  for (const old of p.pcs) old.close();
  const peer = p;
  const pc = new nodeDataChannel.PeerConnection(c.nick, { iceServers: [], bindAddress: '127.0.0.1' });
  p.pcs.push(pc);
  p.tracks = [];
  const audio = new nodeDataChannel.Audio(c.audioMid, 'SendRecv');
  audio.addOpusCodec(OPUS);
  audio.addSSRC(c.audioSsrc, `${c.nick}-a`, `${c.nick}-audio-0`, `${c.nick}-audio-0-1`);
  const video = new nodeDataChannel.Video(c.videoMid, 'SendRecv');
  video.addVP8Codec(VP8);
  video.addSSRC(c.videoSsrc, `${c.nick}-v`, `${c.nick}-video-0`, `${c.nick}-video-0-1`);
  p.audio = pc.addTrack(audio);
  p.video = pc.addTrack(video);
  listen(p, p.audio);
  listen(p, p.video);
  pc.onTrack((t) => listen(peer, t));
  let gathered = false;
  pc.onGatheringStateChange((state) => (gathered ||= state === 'complete'));
  pc.setRemoteDescription(c.offer, 'offer');
  const deadline = Date.now() + 5_000;
  while (!gathered || pc.localDescription() === null) {
    if (Date.now() > deadline) throw new Error(`${c.nick}: ICE gathering did not complete`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return pc.localDescription()!.sdp;
}

const VP8_KEYFRAME = Buffer.from([0x10, 0x00]);

function send(p: Peer): void {
  const seq = p.seq++;
  const payload = (kind: string) => Buffer.from(`${p.nick}:${kind}:${seq}:`.padEnd(160, '.'));
  if (p.audio?.isOpen() === true) p.audio.sendMessageBinary(buildRtp(OPUS, seq, p.audioSsrc, payload('a')));
  if (p.video?.isOpen() === true)
    p.video.sendMessageBinary(buildRtp(VP8, seq, p.videoSsrc, Buffer.concat([VP8_KEYFRAME, payload('v')])));
}

async function handle(c: NdcCommand): Promise<unknown> {
  const p = peers.get(c.id);
  switch (c.op) {
    case 'answer':
      return answer(c);
    case 'renegotiate':
      p?.pcs[p.pcs.length - 1]?.setRemoteDescription(c.offer, 'offer');
      return null;
    case 'send':
      if (p !== undefined) send(p);
      return null;
    case 'stats':
      return {
        open: p?.audio?.isOpen() === true && p.video?.isOpen() === true,
        from: Object.fromEntries(
          [...(p?.from ?? new Map<string, { count: number; ssrcs: Set<number> }>())].map(([k, v]) => [
            k,
            { count: v.count, ssrcs: [...v.ssrcs] },
          ]),
        ),
      };
    case 'close':
      for (const pc of p?.pcs ?? []) pc.close();
      return null;
  }
}

process.on('message', (raw: unknown) => {
  const { seq, command } = raw as { seq: number; command: NdcCommand };
  handle(command).then(
    (result) => process.send?.({ seq, result }),
    (err: unknown) => process.send?.({ seq, error: String(err) }),
  );
});
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.send?.({ seq: 0, result: 'ready' });
