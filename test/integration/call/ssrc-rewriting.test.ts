// SSRC rewriting end to end (issue #16; PROTOCOL.md §3.5, §4.4, §7.4): real Prosody, focus and bridge processes,
// media over real ICE/DTLS/SRTP. A receiver advertising `http://jitsi.org/ssrc-rewriting-1` gets only the bridge's
// sources from the focus, then media from four senders on a pool of two video and two audio SSRCs as its last-N
// selection and the speakers change, each (re)mapping announced on its bridge channel; the senders, without the
// feature, keep getting each other's sources signalled and media on the original SSRCs.
import { WebSocket } from 'ws';
import type { Jingle } from '@convene/protocol/jingle';
import type { Prosody } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { startTestProsody } from '../../harness/prosody.js';
import { RawCallParticipant } from '../../harness/raw-call-participant.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';
const REWRITING = 'http://jitsi.org/ssrc-rewriting-1';
const URI_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const ROOM = 'rewrite@conference.meet.localhost';
const POOL = 2;
let prosody: Prosody;
let focus: AppProcess;
let bridge: BridgeProcess;
const people: RawCallParticipant[] = [];
let channel: WebSocket | undefined;
let pump: NodeJS.Timeout | undefined;

beforeAll(async () => {
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD }],
  });
  const focusHttp = await freePort();
  focus = new AppProcess('focus/src/main.ts', {
    CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
    CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
  });
  await focus.logLine('focus ready');
  bridge = await BridgeProcess.start({
    prosody,
    password: BRIDGE_PASSWORD,
    // The senders have no bridge channel: they get video without constraints, as before rewriting.
    videoWithoutConstraints: true,
    args: ['--ssrc-limit-video', String(POOL), '--ssrc-limit-audio', String(POOL)],
  });
  await waitForBridges(focusHttp, 1);
});
afterAll(async () => {
  clearInterval(pump);
  channel?.close();
  await Promise.all(people.splice(0).map((p) => p.close()));
  await bridge?.close();
  await focus?.stop();
  await prosody?.close();
});

/** Sender state: its own sequence numbers, and how loud its audio is (RFC 6464 level, 127 silence). */
interface Sender {
  p: RawCallParticipant;
  seq: number;
  level: number;
}

/** Opus-like audio with the ssrc-audio-level extension, the sender's nick as payload. */
function audioPacket(s: Sender, levelId: number): Buffer {
  const b = Buffer.alloc(12 + 8 + 8);
  b[0] = 0x90;
  b[1] = 111;
  b.writeUInt16BE(s.seq & 0xffff, 2);
  b.writeUInt32BE((s.seq * 960) >>> 0, 4);
  b.writeUInt32BE(s.p.audioSsrc, 8);
  b.writeUInt16BE(0xbede, 12);
  b.writeUInt16BE(1, 14);
  b[16] = (levelId << 4) | 0;
  b[17] = 0x80 | s.level;
  b.write(s.p.nick, 20);
  return b;
}

/** A one-packet VP8 frame (keyframe when asked) with a picture id, the sender's nick as payload. */
function videoPacket(s: Sender, key: boolean): Buffer {
  const b = Buffer.alloc(12 + 7 + 8);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(s.seq & 0xffff, 2);
  b.writeUInt32BE((s.seq * 3000) >>> 0, 4);
  b.writeUInt32BE(s.p.videoSsrc, 8);
  b[12] = 0x90; // X, S
  b[13] = 0x80; // I: picture id
  b.writeUInt16BE(0x8000 | (s.seq & 0x7fff), 14);
  b[16] = key ? 0x00 : 0x01;
  b.write(s.p.nick, 19);
  return b;
}

/** What the rewriting receiver saw, in arrival order: maps from its channel and packets from its media. */
type Seen =
  | { kind: 'map'; media: 'video' | 'audio'; ssrc: number; owner: string; source: string }
  | { kind: 'rtp'; media: 'video' | 'audio'; ssrc: number; from: string; seq: number; ts: number };

describe('SSRC rewriting', () => {
  it('maps more senders than the pool onto the pool SSRCs as last-N changes, announcing each mapping', async () => {
    const senders: Sender[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await RawCallParticipant.join(prosody, `s${i}s${i}s${i}s${i}`, ROOM, (i + 1) * 10_000);
      p.videoRtx = true;
      people.push(p);
      senders.push({ p, seq: 1000 * (i + 1), level: 127 });
    }
    const offers = new Map<RawCallParticipant, Jingle>();
    await Promise.all(senders.map(async (s) => offers.set(s.p, await s.p.answer())));
    const rx = await RawCallParticipant.join(prosody, 'r0r0r0r0', ROOM, 90_000, [REWRITING]);
    people.push(rx);
    const offer = await rx.answer();
    await Promise.all([...people.map((p) => p.connected())]);

    // The focus signals the rewriting receiver the bridge's feedback sources only; the others get each other's.
    expect([...(offer.jsonSources?.keys() ?? [])]).toEqual(['jvb']);
    const s3offer = offers.get(senders[3]!.p)!;
    const signalled = new Set([...(s3offer.jsonSources?.keys() ?? [])]);
    for (const j of senders[3]!.p.signalling.jingles)
      if (j.jingle.action === 'source-add') for (const k of j.jingle.jsonSources?.keys() ?? []) signalled.add(k);
    for (const s of senders.slice(0, 3)) expect(signalled).toContain(s.p.nick);

    const seen: Seen[] = [];
    const nicks = senders.map((s) => s.p.nick);
    const senderOf = (b: Buffer) => nicks.find((n) => b.includes(n)) ?? '?';
    /** RTX (payload type 96, the offer's for VP8) the receiver got: SSRC, original sequence number, sender. */
    const rtxIn: Array<{ ssrc: number; osn: number; from: string }> = [];
    const rtxOfSlot = new Map<number, number>();
    rx.media!.onRtp = (b) => {
      const ssrc = b.readUInt32BE(8);
      if ((b[1]! & 0x7f) === 96) {
        if (b.length >= 14) rtxIn.push({ ssrc, osn: b.readUInt16BE(12), from: senderOf(b) });
        return;
      }
      const media = (b[1]! & 0x7f) === 111 ? 'audio' : 'video';
      seen.push({ kind: 'rtp', media, ssrc, from: senderOf(b), seq: b.readUInt16BE(2), ts: b.readUInt32BE(4) });
    };
    // A sender without the feature: the others' media on their own SSRCs, never a pool SSRC.
    const plainRx = new Map<number, string>();
    senders[0]!.p.media!.onRtp = (b) => plainRx.set(b.readUInt32BE(8), senderOf(b));

    const url = offer.contents.find((c) => c.transport !== undefined)!.transport!.webSockets[0]!;
    const ws = new WebSocket(url);
    channel = ws;
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Record<string, unknown>;
      const media =
        m.colibriClass === 'VideoSourcesMap' ? 'video' : m.colibriClass === 'AudioSourcesMap' ? 'audio' : '';
      if (media === '') return;
      for (const e of m.mappedSources as Array<{ ssrc: number; rtx?: number; owner: string; source: string }>) {
        seen.push({ kind: 'map', media, ssrc: e.ssrc, owner: e.owner, source: e.source });
        if (e.rtx !== undefined) rtxOfSlot.set(e.ssrc, e.rtx);
      }
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const constrain = (selected: Sender[]) =>
      ws.send(
        JSON.stringify({
          colibriClass: 'ReceiverVideoConstraints',
          lastN: POOL,
          selectedSources: selected.map((s) => `${s.p.nick}-v0`),
          defaultConstraints: { maxHeight: 720 },
        }),
      );

    const levelId = offer.contents
      .find((c) => c.description?.media === 'audio')!
      .description!.headerExtensions.find((h) => h.uri === URI_AUDIO_LEVEL)!.id;
    let tick = 0;
    pump = setInterval(() => {
      tick++;
      for (const s of senders) {
        s.seq++;
        s.p.media?.sendRtp(videoPacket(s, tick % 4 === 0));
        s.p.media?.sendRtp(audioPacket(s, levelId));
      }
    }, 40);

    /** Senders whose video and audio the receiver got (on any SSRC) since `from` in `seen`. */
    const receivedSince = (from: number, media: 'video' | 'audio') =>
      new Set(seen.slice(from).flatMap((e) => (e.kind === 'rtp' && e.media === media ? [e.from] : [])));
    const phase = async (selected: Sender[]) => {
      const from = seen.length;
      for (const s of senders) s.level = selected.includes(s) ? 20 : 127;
      constrain(selected);
      await waitUntil(
        `video and audio from ${selected.map((s) => s.p.nick).join(', ')}`,
        () => {
          const v = receivedSince(from, 'video');
          const a = receivedSince(from, 'audio');
          return selected.every((s) => v.has(s.p.nick) && a.has(s.p.nick));
        },
        20_000,
        100,
      );
    };
    await phase([senders[0]!, senders[1]!]);
    await phase([senders[2]!, senders[3]!]);
    await phase([senders[1]!, senders[2]!]);

    // Whatever moved where: every packet came on an SSRC announced for its sender. Around a remap the map and
    // the packets race (channel over TCP, media over UDP, each queued apart): a packet may arrive just before its
    // map, or the old source's last ones just after the new map; never on a mapping announced for nobody near.
    const current = new Map<string, string>();
    const previous = new Map<string, string>();
    const videoSsrcs = new Set<number>();
    const audioSsrcs = new Set<number>();
    const videoFrom = new Set<string>();
    let raced = 0;
    seen.forEach((e, i) => {
      const key = `${e.media}:${e.ssrc}`;
      if (e.kind === 'map') {
        expect(e.source).toBe(`${e.owner}-${e.media === 'video' ? 'v' : 'a'}0`);
        previous.set(key, current.get(key) ?? '');
        current.set(key, e.owner);
        return;
      }
      (e.media === 'video' ? videoSsrcs : audioSsrcs).add(e.ssrc);
      if (e.media === 'video') videoFrom.add(e.from);
      if (current.get(key) === e.from) return;
      const next = seen.slice(i).find((x) => x.kind === 'map' && x.media === e.media && x.ssrc === e.ssrc);
      expect([previous.get(key), next?.kind === 'map' ? next.owner : undefined]).toContain(e.from);
      raced++;
    });
    expect(videoFrom.size).toBe(4);
    expect(videoSsrcs.size).toBe(POOL);
    expect(audioSsrcs.size).toBeLessThanOrEqual(POOL);
    expect(raced).toBeLessThan(30);
    const remaps = seen.filter((e) => e.kind === 'map' && e.media === 'video').length;
    expect(remaps).toBeGreaterThanOrEqual(4);
    process.stdout.write(
      `ssrc rewriting: 4 senders on ${videoSsrcs.size} video / ${audioSsrcs.size} audio SSRCs, ${remaps} video ` +
        `mappings announced, ${raced} of ${seen.length} events raced their map\n`,
    );

    // A PLI for a pool SSRC reaches the sender now mapped there, on its own SSRC.
    const slot = [...current].find(([k, owner]) => k.startsWith('video:') && owner === senders[2]!.p.nick)![0];
    const slotSsrc = Number(slot.slice('video:'.length));
    const pli = Buffer.alloc(12);
    pli[0] = 0x81;
    pli[1] = 206;
    pli.writeUInt16BE(2, 2);
    pli.writeUInt32BE(rx.videoSsrc, 4);
    pli.writeUInt32BE(slotSsrc, 8);
    const target = senders[2]!.p.media!;
    await waitUntil(
      'the PLI translated to the sender',
      () => {
        rx.media!.sendRtcp(pli);
        return target.rtcp.some((c) => {
          for (let o = 0; o + 12 <= c.length; o += (c.readUInt16BE(o + 2) + 1) * 4)
            if (c[o + 1] === 206 && (c[o]! & 0x1f) === 1 && c.readUInt32BE(o + 4) === rx.videoSsrc)
              return c.readUInt32BE(o + 8) === senders[2]!.p.videoSsrc;
          return false;
        });
      },
      10_000,
      200,
    );

    // A sender's SRs reach the receiver on the pool SSRCs carrying it, on their (continued) timelines: within a
    // few frames of the last RTP timestamp it got there, though each slot's timeline began as another sender's.
    const s2 = senders[2]!;
    const audioSlot = Number([...current].find(([k, o]) => k.startsWith('audio:') && o === s2.p.nick)![0].slice(6));
    const lastTs = (ssrc: number) => [...seen].reverse().find((e) => e.kind === 'rtp' && e.ssrc === ssrc)!;
    const srOf = (ssrc: number) =>
      rx.media!.rtcp.flatMap((c) => {
        const out: number[] = [];
        for (let o = 0; o + 20 <= c.length; o += (c.readUInt16BE(o + 2) + 1) * 4)
          if (c[o + 1] === 200 && c.readUInt32BE(o + 4) === ssrc) out.push(c.readUInt32BE(o + 16));
        return out;
      });
    for (const [ssrc, mine, step] of [
      [slotSsrc, s2.p.videoSsrc, 3000],
      [audioSlot, s2.p.audioSsrc, 960],
    ] as const) {
      await waitUntil(
        `an SR of ${mine} on ${ssrc}`,
        () => {
          const sr = Buffer.alloc(28);
          sr[0] = 0x80;
          sr[1] = 200;
          sr.writeUInt16BE(6, 2);
          sr.writeUInt32BE(mine, 4);
          sr.writeUInt32BE((s2.seq * step) >>> 0, 16);
          s2.p.media!.sendRtcp(sr);
          const got = srOf(ssrc);
          return got.length > 0 && got;
        },
        10_000,
        200,
      );
      const last = lastTs(ssrc);
      expect(last.kind === 'rtp' && last.from).toBe(s2.p.nick);
      const diff = (srOf(ssrc).at(-1)! - (last.kind === 'rtp' ? last.ts : 0)) | 0;
      expect(Math.abs(diff)).toBeLessThan(step * 25);
    }

    // A NACK for a packet on a pool SSRC is answered from the sender's stream as RTX on the slot's RTX SSRC, its
    // original sequence number the one the receiver knows.
    const lost = lastTs(slotSsrc);
    const lostSeq = lost.kind === 'rtp' ? lost.seq : -1;
    const nack = Buffer.alloc(16);
    nack[0] = 0x81;
    nack[1] = 205;
    nack.writeUInt16BE(3, 2);
    nack.writeUInt32BE(rx.videoSsrc, 4);
    nack.writeUInt32BE(slotSsrc, 8);
    nack.writeUInt16BE(lostSeq, 12);
    rx.media!.sendRtcp(nack);
    const answered = () => rtxIn.find((r) => r.ssrc === rtxOfSlot.get(slotSsrc) && r.osn === lostSeq);
    await waitUntil('the NACKed packet as RTX', answered, 10_000, 50);
    expect(answered()?.from).toBe(s2.p.nick);

    // The plain receiver: the others' original SSRCs, nothing of the pools.
    for (const s of senders.slice(1)) {
      expect(plainRx.get(s.p.videoSsrc)).toBe(s.p.nick);
      expect(plainRx.get(s.p.audioSsrc)).toBe(s.p.nick);
    }
    for (const ssrc of [...videoSsrcs, ...audioSsrcs]) expect(plainRx.has(ssrc)).toBe(false);
    // The bridge's debug view counts the pools and their remaps.
    const debug = (await (await fetch(`${bridge.httpUrl}/colibri/stats/debug`)).json()) as Record<
      string,
      Record<string, { ssrcRewriting?: Record<string, number> }>
    >;
    const eps = Object.values(debug).flatMap((c) => Object.entries(c));
    const pools = eps.find(([id]) => id === rx.nick)?.[1].ssrcRewriting;
    expect(pools).toMatchObject({ videoMax: POOL, videoMapped: POOL, audioMax: POOL, audioMapped: POOL });
    expect(pools?.videoRemaps).toBe(remaps - POOL);
    expect(eps.filter(([, e]) => e.ssrcRewriting !== undefined)).toHaveLength(1);

    // The rewriting receiver was never sent a source-add.
    expect(rx.signalling.jingles.filter((j) => j.jingle.action === 'source-add')).toEqual([]);
  });
});
