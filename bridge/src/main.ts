// Entry point of the bridge process: wiring only. Reads process.env and argv once, here.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { NS_COLIBRI2 } from '@convene/protocol/xml';
import { loadOrExit } from '@convene/protocol/config';
import { JidAllowList } from '@convene/protocol/lib';
import { BridgeHttpServer, restRoutes } from './http/index.js';
import { ColibriWsServer, serveSctpChannel } from './channel/index.js';
import { ColibriHandler } from './colibri/index.js';
import { loadBridgeConfig, type ResolvedBridgeConfig } from './config/index.js';
import { BridgeLifecycle, MediaServer, type BandwidthDebug, type Endpoint } from './conference/index.js';
import { requireNativeAddon } from './addon/index.js';
import { chooseSrtp, type SrtpChoice } from './srtp/index.js';
import type { EndpointCounters } from './pipeline/index.js';
import type { NackCounters } from './rtp/index.js';
import { BridgeStats, createBridgeMetrics, type StatsInputs } from './metrics/index.js';
import { BridgeXmpp, addBasicRoutes } from './xmpp/index.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

function loadConfigOrExit(): ResolvedBridgeConfig {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the environment
  return loadOrExit(() => loadBridgeConfig(process.env, process.argv.slice(2)).config, process);
}

/** DTLS runs only on the native addon (OpenSSL): without it the bridge says how to build it and stops. */
function chooseSrtpOrExit(mode: ResolvedBridgeConfig['srtpImplementation']): SrtpChoice {
  try {
    requireNativeAddon();
    return chooseSrtp(mode);
  } catch (err) {
    process.stderr.write(`convene-bridge: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const srtp = chooseSrtpOrExit(config.srtpImplementation);
  const log = pino({
    level: config.logLevel,
    base: { service: 'bridge', bridgeId: config.bridgeId },
    redact: { paths: ['password', 'pwd', 'xmppPassword', '*.password', '*.pwd'], censor: '[redacted]' },
  });
  const version = {
    name: 'convene-bridge',
    version: VERSION,
    os: process.platform === 'linux' ? 'Linux' : process.platform,
  };

  const media = await MediaServer.create({
    port: config.mediaPort,
    bindAddress: config.mediaBindAddress,
    advertisedAddresses: config.advertisedAddresses,
    allowLocalCandidates: config.allowLocalCandidates,
    createSrtp: srtp.create,
    endpointConnectTimeoutMs: config.endpointConnectTimeoutMs,
    conferenceIdleTimeoutMs: config.conferenceIdleTimeoutMs,
    udpImplementation: config.udpImplementation,
    initialMaxHeightPx: config.initialMaxHeightPx,
    lastN: config.lastN,
    ssrcLimits: { video: config.ssrcLimitVideo, audio: config.ssrcLimitAudio },
    log: log.child({ component: 'media' }),
  });
  log.info({ srtp: srtp.name, detail: srtp.detail }, `SRTP implementation: ${srtp.name}`);
  const channel = new ColibriWsServer({
    directory: media,
    serverId: config.serverId,
    version: VERSION,
    log: log.child({ component: 'colibri-ws' }),
    limits: {
      maxMessageBytes: config.channelMaxMessageBytes,
      messagesPerSecond: config.channelMessagesPerSecond,
      bytesPerSecond: config.channelBytesPerSecond,
      maxSendBacklogBytes: config.channelMaxSendBacklogBytes,
    },
  });
  media.on('change', (conferenceId) => channel.refreshForwardedSources(conferenceId));
  // ForwardedSources, dominant speaker and SenderSourceConstraints, on whichever transport each channel uses.
  media.on('video', (conferenceId, e) => channel.hub.sendVideoEvent(conferenceId, e));

  // Built after the pieces that call them: reached through this holder.
  const late: { http?: BridgeHttpServer; publicHttp?: BridgeHttpServer; xmpp?: BridgeXmpp } = {};
  // colibri-ws is on the public server only: the URL handed to clients must never lead to the private one.
  const wsBase = () =>
    config.websocketBaseUrl ??
    `ws://${hostForUrl(config.publicHttpBindAddress)}:${late.publicHttp?.port ?? config.publicHttpPort}`;
  const colibri = new ColibriHandler({
    media,
    allowedFocus: new JidAllowList(config.allowedFocusJids),
    maxConferences: config.maxConferences,
    webSocketUrl: (conferenceId, endpointId, pwd) =>
      config.websocketsEnabled
        ? `${wsBase().replace(/\/$/, '')}/colibri-ws/${config.serverId}/${conferenceId}/${endpointId}?pwd=${pwd}`
        : undefined,
    // The SCTP data channel carries the same bridge channel as colibri-ws: same hub, same messages and limits.
    onSctpRequested: (ep) => {
      serveSctpChannel(channel.hub, ep, (handlers) => ep.acceptSctp(handlers));
    },
    log: log.child({ component: 'colibri' }),
  });

  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      // With Prosody gone the XMPP goodbye never completes; shutting down must not wait on it.
      await Promise.race([late.xmpp?.stop(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      channel.close();
      media.close();
      await Promise.all([late.http?.close(), late.publicHttp?.close()]);
      log.info({ code }, 'bridge stopped');
      log.flush();
      process.exit(code);
    })();
  };
  const lifecycle = new BridgeLifecycle({
    media,
    log,
    onStateChange: () => late.xmpp?.publishNow(),
    exit: () => stop(0),
  });
  const unhealthyReason = (): string | undefined => {
    if (lifecycle.shuttingDown) return 'shutting down';
    if (lifecycle.gracefulShutdown) return 'in graceful shutdown';
    if (late.xmpp?.joined !== true) return 'not in the brewery';
    return undefined;
  };
  const inputs = (): StatsInputs => ({
    conferenceSizes: [...media.conferences.values()].map((c) => c.endpoints.size),
    totals: media.totals,
    socket: media.socketCounters,
    channel: channel.counters,
    channelMessages: channel.hub.messages,
    drain: lifecycle.drain,
    gracefulShutdown: lifecycle.gracefulShutdown,
    shuttingDown: lifecycle.shuttingDown,
    healthy: !lifecycle.shuttingDown,
    mucsJoined: late.xmpp?.joined === true ? 1 : 0,
  });
  let loopMark = performance.eventLoopUtilization();
  const stats = new BridgeStats(
    {
      version: VERSION,
      region: config.region,
      maxPacketRate: config.maxPacketRate,
      maxLoopUtilization: config.maxLoopUtilization,
      loopUtilization: () => {
        const now = performance.eventLoopUtilization();
        const since = performance.eventLoopUtilization(now, loopMark);
        loopMark = now;
        return since.utilization;
      },
    },
    inputs,
  );
  stats.sample();
  setInterval(() => stats.sample(), 1_000).unref();

  const xmpp = new BridgeXmpp({
    service: `xmpp://${hostForUrl(config.xmppHost)}:${config.xmppPort}`,
    domain: `auth.${config.domain}`,
    username: config.xmppUser,
    password: config.xmppPassword,
    breweryRoom: config.breweryRoom,
    nick: config.bridgeId,
    presenceIntervalMs: config.presenceIntervalMs,
    pingIntervalMs: config.xmppPingIntervalMs,
    stats: () => stats.presenceStats(),
    log: log.child({ component: 'xmpp' }),
  });
  late.xmpp = xmpp;
  xmpp.route('set', NS_COLIBRI2, 'conference-modify', (iq) => colibri.handle(iq));
  addBasicRoutes(xmpp, {
    isFromFocus: (iq) => colibri.isFromFocus(iq),
    // Not the REST reason: a failed health IQ makes Jicofo move conferences away, which a graceful
    // shutdown must not do (Jicofo reads graceful_shutdown from the presence instead).
    unhealthyReason: () => (lifecycle.shuttingDown ? 'shutting down' : undefined),
    version,
  });
  // Conferences coming and going show in the brewery at once, not only on the next interval.
  let publishTimer: NodeJS.Timeout | undefined;
  media.on('change', () => {
    publishTimer ??= setTimeout(() => {
      publishTimer = undefined;
      late.xmpp?.publishNow();
    }, 100);
  });

  const metrics = createBridgeMetrics({
    stats,
    inputs,
    xmppDisconnects: () => late.xmpp?.disconnects ?? 0,
    xmppJoined: () => late.xmpp?.joined === true,
    colibriSucceeded: () => colibri.requestsSucceeded,
    iqErrors: () => late.xmpp?.iqErrors ?? new Map(),
    channelDrops: () => channel.drops,
    channelCloses: () => channel.closes,
    channelOpened: () => channel.hub.opened,
    sctpDrops: () => {
      const e = media.counters.endpoints;
      return {
        malformed: e.dropSctpMalformed,
        dcep: e.dropSctpDcep,
        no_channel: e.dropSctpNoChannel,
        window: e.dropSctpWindow,
      };
    },
    mediaDrops: () => ({ ...media.drops }),
    rtpForwarded: () => media.counters.forwarding.rtpForwarded,
    forwardingDrops: () => {
      const f = media.counters.forwarding;
      return {
        force_muted: f.dropForceMuted,
        unknown_ssrc: f.dropUnknownSsrc,
        not_owner: f.dropNotOwner,
        malformed: f.dropMalformed,
        keyframe_request_no_sender: f.dropNoSender,
        keyframe_request_rate_limited: f.dropKeyframeRateLimited,
      };
    },
    iceCandidatesRefused: () => media.counters.endpoints.iceCandidatesRefused,
    twccFeedbackSent: () => media.counters.endpoints.twccFeedbackOut,
    nackItemsReceived: () => media.counters.forwarding.nackItemsReceived,
    nacksSent: () => media.counters.endpoints.nacksSent,
    retransmissions: () => {
      const e = media.counters.endpoints;
      return {
        sent: e.retransmissionsSent,
        missed: e.retransmissionsMissed,
        rate_limited: e.retransmissionsRateLimited,
      };
    },
    bandwidthEstimates: () => endpointsOf(media).map((ep) => ep.bandwidthEstimate),
    forwardingDelay: () => media.forwardingDelay,
    receiveWait: () => media.receiveWait,
    srtpDrops: () => {
      const e = media.counters.endpoints;
      return {
        auth: e.dropSrtpAuth,
        replay: e.dropSrtpReplay,
        malformed: e.dropSrtpMalformed,
        repeat_index: e.dropSrtpRepeatIndex,
      };
    },
  });
  const http = await BridgeHttpServer.start({
    port: config.httpPort,
    host: config.httpBindAddress,
    log: log.child({ component: 'http', server: 'private' }),
    routes: restRoutes({
      version,
      health: () => {
        const reason = unhealthyReason();
        return reason === undefined ? { healthy: true } : { healthy: false, reason };
      },
      stats: () => stats.snapshot(),
      debug: () => endpointDebug(media),
      metrics,
      shutdown: (graceful) => lifecycle.shutdown(graceful),
      drain: { get: () => lifecycle.drain, set: (on) => lifecycle.setDrain(on) },
    }),
  });
  late.http = http;
  const publicHttp = await BridgeHttpServer.start({
    port: config.publicHttpPort,
    host: config.publicHttpBindAddress,
    log: log.child({ component: 'http', server: 'public' }),
    routes: new Map(),
    upgrade: (req, socket, head) => channel.handleUpgrade(req, socket, head),
  });
  late.publicHttp = publicHttp;
  xmpp.start();
  log.info(
    { httpUrl: http.url, publicHttpUrl: publicHttp.url, mediaPort: media.port, breweryRoom: config.breweryRoom },
    'bridge started',
  );

  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

process.on('unhandledRejection', (err) => {
  process.stderr.write(`convene-bridge: unhandled rejection (a bug): ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
await main();

function endpointsOf(media: MediaServer): Endpoint[] {
  return [...media.conferences.values()].flatMap((c) => [...c.endpoints.values()]);
}

interface EndpointDebug {
  bandwidth: BandwidthDebug;
  counters: Readonly<EndpointCounters>;
  /** What the bridge asked this endpoint to send again (its uplink loss). */
  uplinkNacks: Readonly<NackCounters>;
  /** SSRC rewriting endpoints only: their pools. */
  ssrcRewriting?: Record<string, number>;
  /** Per video source this endpoint receives: layers, the one chosen, the rewriter's counters. */
  video: Record<string, unknown>;
}

/** `/colibri/stats/debug`: per conference, per endpoint, the downlink estimator's state and the packet counters. */
function endpointDebug(media: MediaServer): Record<string, Record<string, EndpointDebug>> {
  const out: Record<string, Record<string, EndpointDebug>> = {};
  for (const c of media.conferences.values()) {
    const eps: Record<string, EndpointDebug> = {};
    for (const ep of c.endpoints.values()) {
      const ssrcs = c.ssrcRewritingDebug(ep.id);
      eps[ep.id] = {
        bandwidth: ep.bandwidthDebug,
        counters: ep.counters,
        uplinkNacks: ep.transport.uplink.nacks.counters,
        ...(ssrcs ? { ssrcRewriting: ssrcs } : {}),
        video: c.videoDebug(ep),
      };
    }
    out[c.id] = eps;
  }
  return out;
}
