// bench/forward: forwarded packets/s and bridge CPU microseconds per forwarded packet,
// 1 sender -> N receivers (4 by default), 1000-byte RTP packets, real ICE/DTLS/SRTP on loopback.
// The bridge runs in a child process (bridge-process.ts) so process.cpuUsage() measures it alone; the
// sender and receivers are raw SRTP peers (test/harness/media-raw-peer.ts) in this process.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, type TransportParams } from '@convene/bridge/conference';
import { RawMediaPeer } from '../../test/harness/media-raw-peer.js';
import { buildRtp } from '../../test/harness/ndc-media-peer.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '2000,5000,10000,15000' },
    seconds: { type: 'string', default: '5' },
    receivers: { type: 'string', default: '4' },
    size: { type: 'string', default: '1000' },
    profile: { type: 'string', default: 'gcm' },
    /** The bridge's SRTP: native (the addon, what `auto` picks when built) or node (node:crypto). */
    srtp: { type: 'string', default: 'native' },
    /** The bridge's socket: native (the addon's recvmmsg/sendmmsg, what `auto` picks when built) or node (dgram). */
    udp: { type: 'string', default: 'native' },
    /** With the native socket: UDP_SEGMENT (on/off) and datagrams per recvmmsg. */
    gso: { type: 'string', default: 'on' },
    batch: { type: 'string', default: '32' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const receivers = Number(values.receivers);
const size = Number(values.size);
const profile = values.profile === 'cm' ? 'cm' : 'gcm';
const srtp = values.srtp === 'node' ? 'node' : 'native';
const udp = values.udp === 'node' ? 'node' : 'native';
const SSRC = 0x0bad_cafe;
const RING = 1024;

let seq = 0;
const pending = new Map<number, (v: unknown) => void>();
let nextId = 0;

function request<T>(child: ChildProcess, msg: object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, resolve as (v: unknown) => void);
    child.send({ ...msg }, (err) => err && reject(err));
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends `rate` packets/s for `seconds`, paced on setImmediate in small bursts. */
async function send(sender: RawMediaPeer, rate: number, secs: number): Promise<number> {
  const payload = Buffer.alloc(size - 12, 0xab);
  const plain = buildRtp(100, 0, SSRC, payload);
  const ring = Array.from({ length: RING }, () => Buffer.alloc(size + 32));
  const start = process.hrtime.bigint();
  const total = Math.round(rate * secs);
  let sent = 0;
  while (sent < total) {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const due = Math.min(total, Math.floor(elapsed * rate)) - sent;
    for (let i = 0; i < Math.min(due, 64); i++) {
      plain.writeUInt16BE(seq & 0xffff, 2);
      plain.writeUInt32BE((seq * 3000) >>> 0, 4);
      seq++;
      sender.sendRtpFast(plain, ring[sent % RING]!);
      sent++;
    }
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const child = fork(`${here}bridge-process.ts`, [srtp, udp, values.gso, values.batch], {
    execArgv: ['--import', 'tsx', ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir=.convene/bench-prof'] : [])],
    stdio: 'inherit',
  });
  child.on('message', (m) => {
    const first = pending.keys().next();
    if (first.done === true) return;
    const resolve = pending.get(first.value)!;
    pending.delete(first.value);
    resolve(m);
  });
  const locals = await request<Record<string, TransportParams>>(child, {
    cmd: 'setup',
    receivers,
    ssrc: SSRC,
    profile,
  });
  const peers = new Map<string, RawMediaPeer>();
  for (const [id, local] of Object.entries(locals)) {
    const peer = await RawMediaPeer.create({
      decrypt: false,
      srtpProfiles: [profile === 'cm' ? SRTP_AES128_CM_HMAC_SHA1_80 : SRTP_AEAD_AES_128_GCM],
    });
    peer.connect(local);
    peers.set(id, peer);
    await request(child, { cmd: 'remote', id, transport: peer.transport() });
  }
  await waitFor('all peers keyed', () => [...peers.values()].every((p) => p.ready));
  await waitFor(
    'bridge connected',
    async () => (await request<{ connected: number }>(child, { cmd: 'status' })).connected === peers.size,
  );
  const sender = peers.get('sender')!;
  const rx = [...peers.entries()].filter(([id]) => id !== 'sender').map(([, p]) => p);

  const cmd = `node --import tsx bench/forward/run.ts --rates ${values.rates} --seconds ${seconds} --receivers ${receivers} --size ${size} --profile ${profile} --srtp ${srtp} --udp ${udp} --gso ${values.gso} --batch ${values.batch}`;
  console.log(`command: ${cmd}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} cores)`,
  );
  console.log(
    `node ${process.version}, ${receivers} receivers, ${size}-byte RTP, bridge in its own process, SRTP ${profile === 'cm' ? 'AES_CM_128_HMAC_SHA1_80' : 'AEAD_AES_128_GCM'} (${srtp}), UDP ${udp}`,
  );
  console.log('offered_pps  bridge_in_pps  forwarded_pps  received_pps  loss_%  bridge_cpu_%  cpu_us_per_forwarded');
  await send(sender, 500, 1); // warm-up: JIT, buffers
  await new Promise((r) => setTimeout(r, 300));
  await request(child, { cmd: 'mark' });
  for (const rate of rates) {
    const rxBefore = rx.reduce((n, p) => n + p.received.rtp, 0);
    const t0 = process.hrtime.bigint();
    const sent = await send(sender, rate, seconds);
    await new Promise((r) => setTimeout(r, 300)); // drain
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const d = await request<{ cpuUs: number; wallUs: number; forwarded: number; rtpIn: number }>(child, {
      cmd: 'mark',
    });
    const got = rx.reduce((n, p) => n + p.received.rtp, 0) - rxBefore;
    const expected = sent * receivers;
    const row = [
      (sent / seconds).toFixed(0).padStart(11),
      (d.rtpIn / seconds).toFixed(0).padStart(14),
      (d.forwarded / seconds).toFixed(0).padStart(14),
      (got / seconds).toFixed(0).padStart(13),
      ((100 * (expected - got)) / expected).toFixed(2).padStart(7),
      ((100 * d.cpuUs) / (wall * 1e6)).toFixed(1).padStart(13),
      (d.forwarded === 0 ? 0 : d.cpuUs / d.forwarded).toFixed(2).padStart(21),
    ];
    console.log(row.join(' '));
  }
  const c = await request<{ socket: Record<string, number> }>(child, { cmd: 'counters' });
  const sk = c.socket;
  console.log(
    `socket: ${sk.datagramsIn} in over ${sk.batches} batches (${(sk.datagramsIn! / Math.max(1, sk.batches!)).toFixed(1)} per recvmmsg), ${sk.datagramsOut} out over ${sk.sendmmsgCalls} sendmmsg, ${sk.gsoSegments} as GSO segments, ${sk.sendBufferFull} dropped send buffer full`,
  );
  await request(child, { cmd: 'close' });
  for (const p of peers.values()) p.close();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
