// bench/dtls: what a DTLS-SRTP handshake costs the bridge, and what an endpoint costs it in memory.
// The bridge (a MediaServer) runs in its own process (bench/forward/bridge-process.ts) so its CPU time and RSS
// are its own; N raw SRTP peers (test/harness/media-raw-peer.ts) in this process do ICE and DTLS with it in
// waves. Prints bridge CPU per handshake, handshake wall time (median, p95) and bridge RSS per endpoint.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SRTP_AEAD_AES_128_GCM, type TransportParams } from '@convene/bridge/conference';
import { RawMediaPeer } from '../../test/harness/media-raw-peer.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '200' },
    wave: { type: 'string', default: '20' },
  },
});
const total = Number(values.endpoints);
const wave = Number(values.wave);

interface Mark {
  cpuUs: number;
  wallUs: number;
}
interface Counters {
  memory: NodeJS.MemoryUsage;
}

const pending: Array<(v: unknown) => void> = [];
function request<T>(child: ChildProcess, msg: object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.push(resolve as (v: unknown) => void);
    child.send(msg, (err) => err && reject(err));
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const child = fork(`${here}../forward/bridge-process.ts`, ['native'], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  child.on('message', (m) => pending.shift()?.(m));
  const ids = Array.from({ length: total }, (_, i) => ({ id: `e${i}`, sources: [] }));
  const locals = await request<Record<string, TransportParams>>(child, {
    cmd: 'conference',
    endpoints: ids,
    profile: 'gcm',
  });
  const before = await request<Counters>(child, { cmd: 'counters' });
  await request<Mark>(child, { cmd: 'mark' });
  const times: number[] = [];
  const peers: RawMediaPeer[] = [];
  for (let i = 0; i < total; i += wave) {
    const batch = Object.entries(locals).slice(i, i + wave);
    const started = await Promise.all(
      batch.map(async ([id, local]) => {
        const peer = await RawMediaPeer.create({ decrypt: false, srtpProfiles: [SRTP_AEAD_AES_128_GCM] });
        peers.push(peer);
        const t0 = performance.now();
        peer.connect(local);
        await request(child, { cmd: 'remote', id, transport: peer.transport() });
        return { peer, t0 };
      }),
    );
    await Promise.all(
      started.map(async ({ peer, t0 }) => {
        await waitFor('a handshake', () => peer.ready);
        times.push(performance.now() - t0);
      }),
    );
  }
  const cpu = await request<Mark>(child, { cmd: 'mark' });
  await new Promise((r) => setTimeout(r, 1000));
  const after = await request<Counters>(child, { cmd: 'counters' });
  times.sort((a, b) => a - b);
  const rssPerEndpoint = (after.memory.rss - before.memory.rss) / total;
  const heapPerEndpoint = (after.memory.heapUsed - before.memory.heapUsed) / total;
  const externalPerEndpoint = (after.memory.external - before.memory.external) / total;
  console.log(`command: node --import tsx bench/dtls/run.ts --endpoints ${total} --wave ${wave}`);
  console.log(
    `node ${process.version}, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} cores), SRTP AEAD_AES_128_GCM, ${total} endpoints in waves of ${wave}`,
  );
  console.log(`bridge CPU per handshake (ICE + DTLS + SRTP setup): ${(cpu.cpuUs / total / 1000).toFixed(2)} ms`);
  console.log(
    `handshake wall time, connect -> keyed: median ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`,
  );
  console.log(
    `bridge memory per connected endpoint: RSS ${(rssPerEndpoint / 1024).toFixed(1)} KiB, JS heap ${(heapPerEndpoint / 1024).toFixed(1)} KiB, external ${(externalPerEndpoint / 1024).toFixed(1)} KiB`,
  );
  for (const p of peers) p.close();
  await request(child, { cmd: 'close' });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
