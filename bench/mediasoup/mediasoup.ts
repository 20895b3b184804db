// mediasoup as the second reference server of npm run bench: its worker (built by build-worker.ts from the npm
// package against Debian's libraries) driven by its own Node library, loaded from the cache directory (never a
// dependency of the repository). Every load peer gets a PlainTransport with SRTP (AEAD_AES_128_GCM, keys
// exchanged directly: no ICE, no DTLS; the worker built against Debian's OpenSSL crashes in SSL_read during a
// WebRtcTransport's DTLS handshake), every sender a Producer per stream, and every other endpoint a Consumer of
// each. The worker process's CPU is what is measured.
//
// Two configurations: `full` (NACK with its retransmission buffer, transport-cc, and the mid / abs-send-time /
// transport-wide-cc header extensions on what it sends: the fair comparison once Convene's congestion work
// lands) and `minimal` (no RTCP feedback, no header extensions). Video is declared as AV1: mediasoup gates a
// VP8/VP9/H264 consumer on a keyframe it finds by parsing the payload, and the bench's payload is synthetic;
// AV1 has no such gate, and Convene forwards payloads without looking at them either.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import process from 'node:process';
import type { TransportParams } from '@convene/bridge/conference';
import type { LoadCommand } from '../../test/harness/bench-load-process.js';
import { forkLoads, peerSpecs, Scenario, waitLoadsReady, type Rpc, type Target } from '../lib/scenario.js';
import { mediasoupWorker } from './build-worker.js';

export type MediasoupConfig = 'full' | 'minimal';

/* The few parts of mediasoup's API the bench uses (the package is not a dependency, so no types from it). */
interface MsSrtp {
  cryptoSuite: string;
  keyBase64: string;
}
interface MsTransport {
  tuple: { localIp?: string; localAddress?: string; localPort: number };
  srtpParameters: MsSrtp;
  connect(o: { ip: string; port: number; srtpParameters: MsSrtp }): Promise<void>;
  produce(o: { kind: 'audio' | 'video'; rtpParameters: object }): Promise<{ id: string }>;
  consume(o: { producerId: string; rtpCapabilities: object; paused?: boolean }): Promise<unknown>;
}
interface MsRouter {
  rtpCapabilities: { codecs: Array<Record<string, unknown>>; headerExtensions: Array<Record<string, unknown>> };
  createPlainTransport(o: object): Promise<MsTransport>;
}
interface MsWorker {
  pid: number;
  createRouter(o: object): Promise<MsRouter>;
  close(): void;
}
interface Mediasoup {
  createWorker(o: object): Promise<MsWorker>;
  version: string;
}

let loaded: { ms: Mediasoup; version: string } | undefined;

/** mediasoup's library with the worker we built; a reason string when there is none. */
export async function loadMediasoup(): Promise<{ ms: Mediasoup; version: string } | string> {
  if (loaded !== undefined) return loaded;
  const w = mediasoupWorker();
  if ('skip' in w) return w.skip;
  // The library reads the worker's path from the environment once, when it loads.
  // eslint-disable-next-line no-restricted-properties -- mediasoup's documented way to name its worker binary
  process.env.MEDIASOUP_WORKER_BIN = w.bin;
  const mod = (await import(pathToFileURL(join(w.moduleDir, 'node', 'lib', 'index.js')).href)) as {
    default?: Mediasoup;
  } & Mediasoup;
  loaded = { ms: mod.default ?? mod, version: w.version };
  return loaded;
}

const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
const EXTENSIONS = [
  { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
  { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 4 },
  { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 5 },
];

function producerParameters(kind: 'audio' | 'video', ssrc: number, pt: number, config: MediasoupConfig): object {
  const full = config === 'full';
  const codec =
    kind === 'audio'
      ? { mimeType: 'audio/opus', payloadType: pt, clockRate: 48000, channels: 2 }
      : { mimeType: 'video/AV1', payloadType: pt, clockRate: 90000 };
  const rtcpFeedback = full
    ? kind === 'video'
      ? [...FEEDBACK, { type: 'transport-cc' }]
      : [{ type: 'transport-cc' }]
    : [];
  return {
    mid: kind === 'audio' ? '0' : '1',
    codecs: [{ ...codec, rtcpFeedback }],
    headerExtensions: full ? EXTENSIONS : [],
    encodings: [{ ssrc }],
    rtcp: { cname: `bench-${ssrc}`, reducedSize: true },
  };
}

/** The router's capabilities as a receiver declares them: everything (full) or no feedback nor extensions. */
function consumerCapabilities(router: MsRouter, config: MediasoupConfig): object {
  if (config === 'full') return router.rtpCapabilities;
  return {
    codecs: router.rtpCapabilities.codecs.map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  };
}

/** The scenario through one mediasoup worker and router; `close()` ends the worker. */
export async function mediasoupScenario(
  ms: Mediasoup,
  config: MediasoupConfig,
  o: { senders: number; receivers: number; loadProcesses?: number },
): Promise<Scenario> {
  const worker = await ms.createWorker({ logLevel: 'error', rtcMinPort: 40000, rtcMaxPort: 49999 });
  const target: Target = {
    pid: worker.pid,
    forwarded: () => Promise.resolve(undefined),
    close: () => {
      worker.close();
      return Promise.resolve();
    },
  };
  const loads = forkLoads(o.loadProcesses ?? 2);
  const specs = peerSpecs(o.senders, o.receivers);
  const scenario = new Scenario(
    target,
    loads,
    specs.map((p) => p.id),
  );
  try {
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/AV1', clockRate: 90000 },
      ],
    });
    const perLoad = loads.map((_, li) => specs.filter((_, i) => i % loads.length === li));
    const loadOf = new Map<string, Rpc>();
    perLoad.forEach((ps, li) => ps.forEach((p) => loadOf.set(p.id, loads[li]!)));
    const peers = perLoad.map((ps) => ps.map((p) => ({ id: p.id, streams: p.streams })));
    const local = Object.assign(
      {},
      ...(await Promise.all(
        loads.map((l, li) => l.call({ cmd: 'create', peers: peers[li]!, profile: 'gcm' } satisfies LoadCommand)),
      )),
    ) as Record<string, TransportParams>;
    const transports = new Map<string, MsTransport>();
    for (const p of specs) {
      const t = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: 'AEAD_AES_128_GCM',
      });
      transports.set(p.id, t);
      const peerKey = await loadOf.get(p.id)!.call<string>({
        cmd: 'connectPlain',
        id: p.id,
        address: t.tuple.localAddress ?? t.tuple.localIp!,
        port: t.tuple.localPort,
        keyBase64: t.srtpParameters.keyBase64,
      } satisfies LoadCommand);
      const c = local[p.id]!.candidates[0]!;
      await t.connect({
        ip: c.address,
        port: c.port,
        srtpParameters: { cryptoSuite: 'AEAD_AES_128_GCM', keyBase64: peerKey },
      });
    }
    const producers: Array<{ owner: string; id: string }> = [];
    for (const p of specs) {
      for (const s of p.streams) {
        const prod = await transports
          .get(p.id)!
          .produce({ kind: s.kind, rtpParameters: producerParameters(s.kind, s.ssrc, s.pt, config) });
        producers.push({ owner: p.id, id: prod.id });
      }
    }
    const caps = consumerCapabilities(router, config);
    for (const p of specs) {
      for (const prod of producers) {
        if (prod.owner === p.id) continue;
        await transports.get(p.id)!.consume({ producerId: prod.id, rtpCapabilities: caps, paused: false });
      }
    }
    await waitLoadsReady(loads, specs.length);
  } catch (err) {
    await scenario.close();
    throw err;
  }
  return scenario;
}
