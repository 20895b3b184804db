// A child process that hosts some of a bench scenario's load peers (BenchPeer), driven over IPC by
// bench/lib/scenario.ts, so the load generator's CPU is never counted as the bridge's.
import { WebSocket } from 'ws';
import type { TransportParams } from '@convene/bridge/conference';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, type SrtpProfile } from '@convene/bridge/dtls';
import { BenchPeer, type BenchPeerOptions, type BenchStream } from './bench-peer.js';

export type LoadCommand =
  | {
      cmd: 'create';
      peers: Array<{ id: string; streams: BenchStream[]; opts?: BenchPeerOptions }>;
      /** 'any' offers both, GCM first (Janus's build decides). */
      profile: 'gcm' | 'cm' | 'any';
    }
  | { cmd: 'connect'; bridge: Record<string, TransportParams> }
  /** A plain transport (no ICE/DTLS): the server's address and master key (base64); answers the peer's key. */
  | { cmd: 'connectPlain'; id: string; address: string; port: number; keyBase64: string }
  /**
   * Opens each listed peer's bridge channel (colibri-ws URL) and sends it `message` (ReceiverVideoConstraints);
   * answers once each channel heard a ForwardedSources message, the bridge's answer to the constraints.
   */
  | { cmd: 'channel'; urls: Record<string, string>; message: Record<string, unknown> }
  | { cmd: 'ready' }
  | { cmd: 'position' }
  | { cmd: 'send'; seconds: number; rateScale: number; dropEvery: number; paceMs?: number }
  | { cmd: 'count'; ranges: Record<string, [number, number]> }
  | { cmd: 'reset' }
  | { cmd: 'close' };

/** What `count` answers: distinct packets received per peer, within the given stream sequence ranges. */
export interface LoadCount {
  received: Record<string, number>;
  duplicates: number;
  failed: number;
  hist: number[];
  cpuUs: number;
}

const peers = new Map<string, BenchPeer>();
const channels: WebSocket[] = [];

process.on('message', (raw: unknown) => {
  const { id, msg } = raw as { id: number; msg: LoadCommand };
  void handle(msg).then(
    (result) => process.send!({ id, result }),
    (err: unknown) => process.send!({ id, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));

/** Per stream key `${peer}/${ssrc}`: the next sequence each sending peer will use. */
function position(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of peers.values()) p.streams.forEach((s, i) => (out[`${p.id}/${s.ssrc}`] = p.nextSeq[i]!));
  return out;
}

/** Paces every stream of every local peer at its rate for `seconds`, in ticks of `paceMs` (2 ms by default). */
async function send(
  seconds: number,
  rateScale: number,
  dropEvery: number,
  paceMs = 2,
): Promise<Record<string, number>> {
  const senders = [...peers.values()].filter((p) => p.streams.length > 0);
  const start = senders.map((p) => [...p.nextSeq]);
  const t0 = process.hrtime.bigint();
  for (;;) {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const t = Math.min(elapsed, seconds);
    senders.forEach((p, pi) =>
      p.streams.forEach((s, i) => {
        const due = start[pi]![i]! + Math.floor(t * s.pps * rateScale);
        // Bounded per tick so a stalled loop catches up without one giant burst.
        for (let k = 0; k < 256 && p.nextSeq[i]! < due; k++) {
          const seq = p.nextSeq[i]!;
          p.sendNext(i, dropEvery > 0 && seq % dropEvery === dropEvery - 1);
        }
      }),
    );
    if (
      elapsed >= seconds &&
      senders.every((p, pi) =>
        p.streams.every((s, i) => p.nextSeq[i]! >= start[pi]![i]! + Math.floor(seconds * s.pps * rateScale)),
      )
    )
      break;
    if (elapsed > seconds * 2 + 5) break; // bounded even if this process cannot keep up
    await new Promise((r) => setTimeout(r, paceMs));
  }
  return position();
}

async function handle(m: LoadCommand): Promise<unknown> {
  switch (m.cmd) {
    case 'create': {
      const profiles: SrtpProfile[] =
        m.profile === 'any'
          ? [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80]
          : [m.profile === 'cm' ? SRTP_AES128_CM_HMAC_SHA1_80 : SRTP_AEAD_AES_128_GCM];
      const out: Record<string, TransportParams> = {};
      for (const p of m.peers) {
        const peer = await BenchPeer.create(p.id, p.streams, profiles, p.opts);
        peers.set(p.id, peer);
        out[p.id] = peer.transport();
      }
      return out;
    }
    case 'connect':
      for (const [id, t] of Object.entries(m.bridge)) peers.get(id)!.connect(t);
      return true;
    case 'connectPlain':
      return peers.get(m.id)!.connectPlain(m.address, m.port, Buffer.from(m.keyBase64, 'base64')).toString('base64');
    case 'channel':
      await Promise.all(Object.values(m.urls).map((url) => openChannel(url, m.message)));
      return true;
    case 'ready':
      return [...peers.values()].filter((p) => p.ready).length;
    case 'position':
      return position();
    case 'send':
      return send(m.seconds, m.rateScale, m.dropEvery, m.paceMs);
    case 'reset':
      for (const p of peers.values()) p.resetLatency();
      return true;
    case 'count': {
      const received: Record<string, number> = {};
      const hist = new Array<number>(peers.values().next().value?.hist.length ?? 0).fill(0);
      let duplicates = 0;
      let failed = 0;
      for (const p of peers.values()) {
        let n = 0;
        for (const [key, [from, to]] of Object.entries(m.ranges)) {
          const [owner, ssrc] = key.split('/');
          if (owner === p.endpoint) continue;
          n += p.receivedIn(Number(ssrc), from, to);
        }
        received[p.id] = n;
        duplicates += p.duplicates;
        failed += p.counters.failed;
        p.hist.forEach((v, i) => (hist[i]! += v));
      }
      const cpu = process.cpuUsage();
      return { received, duplicates, failed, hist, cpuUs: cpu.user + cpu.system } satisfies LoadCount;
    }
    case 'close':
      for (const ws of channels) ws.terminate();
      for (const p of peers.values()) p.close();
      setImmediate(() => process.exit(0));
      return true;
  }
}

/** One bridge channel: sends `message` once open, resolves on the first ForwardedSources (10 s at most). */
function openChannel(url: string, message: Record<string, unknown>): Promise<void> {
  const ws = new WebSocket(url);
  channels.push(ws);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ForwardedSources on ${url} within 10 s`)), 10_000);
    ws.on('open', () => ws.send(JSON.stringify(message)));
    ws.on('error', (err) => reject(err));
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as { colibriClass?: string };
      if (m.colibriClass !== 'ForwardedSources') return;
      clearTimeout(timer);
      resolve();
    });
  });
}
