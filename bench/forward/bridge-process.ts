// The bridge side of bench/forward: a MediaServer in its own process, so its CPU time is measured alone.
// Driven over the IPC channel by run.ts.
import {
  MediaServer,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  type Conference,
  type Endpoint,
  type SourceParams,
  type SsrcGroupParams,
  type TransportParams,
} from '@convene/bridge/conference';
import { chooseSrtp } from '@convene/bridge/srtp';

type Command =
  | { cmd: 'setup'; receivers: number; ssrc: number; profile: 'gcm' | 'cm' }
  // bench/run.ts: any conference shape, every endpoint with its own sources.
  | {
      cmd: 'conference';
      endpoints: Array<{ id: string; sources: SourceParams[]; groups?: SsrcGroupParams[] }>;
      profile: 'gcm' | 'cm';
      /** The payload type of VP8 (simulcast encodings the bridge parses to switch layers). */
      vp8Pt?: number;
      /** The offer's transport-cc extension id and RTX payload types ([apt, rtx]), as Colibri2 would set them. */
      transportCc?: number;
      rtx?: Array<[number, number]>;
    }
  | { cmd: 'counters' }
  /** Opens the bridge channel (colibri-ws on loopback) and answers each endpoint's URL. */
  | { cmd: 'channel' }
  | { cmd: 'remote'; id: string; transport: TransportParams }
  | { cmd: 'status' }
  | { cmd: 'mark' }
  | { cmd: 'close' };

/** The first argument (run.ts --srtp): the native addon, what the bridge's `auto` picks when built (fails loudly
 * when it is not), or `node` (node:crypto). */
const createSrtp = chooseSrtp(process.argv[2] === 'node' ? 'node' : 'native').create;
/** The second (--udp): the addon's batched socket (`native`, what `auto` picks when built) or dgram (`node`). */
const udpImplementation = process.argv[3] === 'node' ? 'node' : 'native';
/** Optional third and fourth (--gso, --batch): UDP_SEGMENT on or off, datagrams per recvmmsg. */
const udpGso = process.argv[4] !== 'off';
const udpBatch = process.argv[5] === undefined ? undefined : Number(process.argv[5]);

let server: MediaServer;
let conference: Conference;
let closeChannel: (() => void) | undefined;
const endpoints = new Map<string, Endpoint>();
let mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint(), forwarded: 0, rtpIn: 0 };

function totals(): { forwarded: number; rtpIn: number; dropSrtpAuth: number; dropSrtpReplay: number } {
  const c = conference.counters;
  return {
    forwarded: c.forwarding.rtpForwarded,
    rtpIn: c.endpoints.rtpPacketsIn,
    dropSrtpAuth: c.endpoints.dropSrtpAuth,
    dropSrtpReplay: c.endpoints.dropSrtpReplay,
  };
}

process.on('message', (raw: unknown) => {
  void handle(raw as Command).then(
    (reply) => process.send!(reply),
    (err: unknown) => process.send!({ error: String(err) }),
  );
});

/** One media server with one conference of these endpoints; returns each endpoint's transport for its peer. */
async function createBenchConference(
  profile: 'gcm' | 'cm',
  socketBufferBytes: number,
  list: ReadonlyArray<{ id: string; sources: SourceParams[]; groups?: SsrcGroupParams[] }>,
  transportCc = 0,
  rtx: ReadonlyArray<[number, number]> = [],
  vp8Pt?: number,
): Promise<Record<string, TransportParams>> {
  server = await MediaServer.create({
    port: 0,
    bindAddress: '127.0.0.1',
    allowLocalCandidates: true,
    socketBufferBytes,
    srtpProfiles: [profile === 'cm' ? SRTP_AES128_CM_HMAC_SHA1_80 : SRTP_AEAD_AES_128_GCM],
    createSrtp,
    udpImplementation,
    udpGso,
    udpBatch,
  });
  conference = server.createConference('bench');
  if (transportCc > 0) {
    // As Colibri2 sets them: the id is hop-by-hop (blanked, or since #15 stamped per receiver).
    conference.setStrippedHeaderExtensions([transportCc]);
    // A bridge from before #15's downlink (bench --base) only blanks the id.
    (conference as Partial<Pick<Conference, 'setTransportCcExtension'>>).setTransportCcExtension?.(transportCc);
  }
  // Optional: a bridge from before #15 (bench --base) has no RTX; this file runs against it too.
  const withRtx = conference as Partial<Pick<Conference, 'setRtxPayloadTypes'>>;
  if (rtx.length > 0) withRtx.setRtxPayloadTypes?.(new Map(rtx));
  if (vp8Pt !== undefined) conference.setVideoCodecs(new Map([[vp8Pt, 'vp8']]));
  const out: Record<string, TransportParams> = {};
  for (const e of list) {
    const ep = conference.createEndpoint(e.id);
    endpoints.set(e.id, ep);
    out[e.id] = ep.localTransport();
    if (e.sources.length > 0) ep.setSources(e.sources, e.groups ?? []);
  }
  return out;
}

async function handle(m: Command): Promise<unknown> {
  switch (m.cmd) {
    case 'setup': {
      const receivers = Array.from({ length: m.receivers }, (_, i) => ({ id: `r${i + 1}`, sources: [] }));
      const sender = { id: 'sender', sources: [{ ssrc: m.ssrc, kind: 'video' as const }] };
      return createBenchConference(m.profile, 4 << 20, [sender, ...receivers]);
    }
    case 'conference':
      return createBenchConference(m.profile, 8 << 20, m.endpoints, m.transportCc ?? 0, m.rtx ?? [], m.vp8Pt);
    case 'channel':
      return openChannel();
    case 'counters':
      return {
        ...totals(),
        drops: { ...server.drops },
        socket: { ...server.socketCounters },
        // A base checkout's MediaServer (bench --base) may predate the histogram: then undefined.
        delay: server.forwardingDelay === undefined ? undefined : Array.from(server.forwardingDelay),
        wait: server.receiveWait === undefined ? undefined : Array.from(server.receiveWait),
        memory: process.memoryUsage(),
      };
    case 'remote':
      endpoints.get(m.id)!.setRemoteTransport(m.transport);
      return { ok: true };
    case 'status':
      return { connected: [...endpoints.values()].filter((e) => e.dtlsState === 'connected').length };
    case 'mark': {
      const now = { cpu: process.cpuUsage(), at: process.hrtime.bigint(), ...totals() };
      const d = {
        cpuUs: now.cpu.user - mark.cpu.user + (now.cpu.system - mark.cpu.system),
        wallUs: Number(now.at - mark.at) / 1000,
        forwarded: now.forwarded - mark.forwarded,
        rtpIn: now.rtpIn - mark.rtpIn,
        dropSrtpAuth: now.dropSrtpAuth,
        dropSrtpReplay: now.dropSrtpReplay,
        drops: { ...server.drops },
      };
      mark = now;
      return d;
    }
    case 'close':
      closeChannel?.();
      server.close();
      setImmediate(() => process.exit(0));
      return { ok: true };
  }
}

/**
 * colibri-ws on a loopback HTTP server, as the bridge's main.ts serves it: receivers send ReceiverVideoConstraints
 * the way clients do. Imported here only: a base checkout (bench --base) never opens it.
 */
async function openChannel(): Promise<Record<string, string>> {
  const { createServer } = await import('node:http');
  const { ColibriWsServer } = await import('@convene/bridge/channel');
  const { pino } = await import('pino');
  const channel = new ColibriWsServer({
    directory: server,
    serverId: 'bench',
    version: 'bench',
    log: pino({ level: 'warn' }),
  });
  server.on('video', (conferenceId, e) => channel.hub.sendVideoEvent(conferenceId, e));
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req, socket, head) => {
    if (!channel.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  closeChannel = () => {
    channel.close();
    http.close();
  };
  const urls: Record<string, string> = {};
  for (const [id, ep] of endpoints)
    urls[id] = `ws://127.0.0.1:${port}/colibri-ws/bench/${conference.id}/${encodeURIComponent(id)}?pwd=${ep.password}`;
  return urls;
}
