// Every bridge metric, on the process's own prom-client Registry. Values are read at scrape time from the
// counters the bridge keeps anyway (STYLE.md §2.9); nothing here is touched per packet. Names: STYLE.md §2.3,
// mapping to JVB's `jitsi_jvb_*` in bridge/README.md.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BridgeStats, StatsInputs } from './bridge-stats.js';
import { registerDelayHistogram } from './delay-histogram.js';

export interface MetricsInputs {
  stats: BridgeStats;
  inputs: () => StatsInputs;
  xmppDisconnects: () => number;
  xmppJoined: () => boolean;
  /** Colibri2 requests answered with a result. */
  colibriSucceeded: () => number;
  /** IQs refused or failed, by error code (a small fixed set). */
  iqErrors: () => ReadonlyMap<string, number>;
  /** Bridge-channel messages dropped, by reason. */
  channelDrops: () => Readonly<Record<string, number>>;
  /** Bridge channels the bridge closed on its own (abuse, a client that stopped reading), by reason. */
  channelCloses: () => Readonly<Record<string, number>>;
  /** Bridge channels opened, by transport (websocket, sctp). */
  channelOpened: () => Readonly<Record<string, number>>;
  /** SCTP packets and data-channel messages dropped, by reason. */
  sctpDrops: () => Readonly<Record<string, number>>;
  /** Media datagrams dropped before reaching an endpoint, by reason. */
  mediaDrops: () => Readonly<Record<string, number>>;
  /** RTP packets the forwarder sent on (one per receiver). */
  rtpForwarded: () => number;
  /** Decrypted packets the forwarder dropped, by reason (force_muted, unknown_ssrc, not_owner...). */
  forwardingDrops: () => Readonly<Record<string, number>>;
  /** Packets SRTP refused, by reason (auth, replay, malformed in; repeat_index out: an index already used). */
  srtpDrops: () => Readonly<Record<string, number>>;
  /** Signalled remote ICE candidates the bridge would not send checks to. */
  iceCandidatesRefused: () => number;
  twccFeedbackSent: () => number;
  nackItemsReceived: () => number;
  nacksSent: () => number;
  retransmissions: () => Readonly<Record<string, number>>;
  /** The send-side bandwidth estimate of every current endpoint's downlink (bps). */
  bandwidthEstimates?: () => Iterable<number>;
  /** The socket's forwarding-delay histogram (transport/packet-socket.ts); undefined on dgram. */
  forwardingDelay?: () => ArrayLike<number> | undefined;
  /** The socket's receive-wait histogram (transport/packet-socket.ts); undefined on dgram. */
  receiveWait?: () => ArrayLike<number> | undefined;
}

const P = 'convene_bridge_';

/** A fresh registry with every bridge metric (and Node's process metrics under the same prefix). */
export function createBridgeMetrics(m: MetricsInputs): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: P });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: P + name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name: P + name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const labelled = (name: string, help: string, label: string, read: () => Iterable<[string, number]>) =>
    new Counter({
      name: P + name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [value, n] of read()) this.inc({ [label]: value }, n);
      },
    });
  const sizes = () => m.inputs().conferenceSizes;

  gauge('conferences', 'Conferences on this bridge', () => sizes().length);
  gauge('endpoints', 'Endpoints on this bridge', () => sizes().reduce((a, b) => a + b, 0));
  gauge('largest_conference', 'Endpoints in the largest conference', () => sizes().reduce((a, b) => Math.max(a, b), 0));
  gauge(
    'stress',
    'Load, 1.0 = full: the packet rate over maxPacketRate or the thread busy share over maxLoopUtilization, the higher',
    () => m.stats.stressLevel,
  );
  gauge(
    'loop_utilization',
    'Share of the last second the JavaScript thread (every packet passes it) was busy',
    () => m.stats.loopUtilization,
  );
  gauge('incoming_bits_per_second', 'Media received, bits per second', () => m.stats.rates.bitRateDownloadKbps * 1000);
  gauge('outgoing_bits_per_second', 'Media sent, bits per second', () => m.stats.rates.bitRateUploadKbps * 1000);
  gauge('incoming_packets_per_second', 'Datagrams received per second', () => m.stats.rates.packetRateDownload);
  gauge('outgoing_packets_per_second', 'Datagrams sent per second', () => m.stats.rates.packetRateUpload);
  gauge('graceful_shutdown', '1 while in graceful shutdown', () => Number(m.inputs().gracefulShutdown));
  gauge('shutting_down', '1 when the bridge is about to exit', () => Number(m.inputs().shuttingDown));
  gauge('drain_mode', '1 while draining', () => Number(m.inputs().drain));
  gauge('healthy', '1 when the bridge can take conferences', () => Number(m.inputs().healthy));
  gauge('brewery_joined', '1 while in the brewery MUC', () => Number(m.xmppJoined()));

  counter('conferences_created_total', 'Conferences created', () => m.inputs().totals.conferencesCreated);
  counter('conferences_completed_total', 'Conferences expired', () => m.inputs().totals.conferencesCompleted);
  counter(
    'conference_seconds_total',
    'Summed duration of expired conferences',
    () => m.inputs().totals.conferenceSeconds,
  );
  counter('endpoints_created_total', 'Endpoints created', () => m.inputs().totals.endpointsCreated);
  counter(
    'endpoints_expired_total',
    'Endpoints that ended normally: expired by the focus, with their conference, or hung up',
    () => m.inputs().totals.endpointsExpired,
  );
  counter(
    'endpoints_hung_up_total',
    'Endpoints whose peer hung up (DTLS close_notify), also counted as expired',
    () => m.inputs().totals.endpointsHungUp,
  );
  labelled('endpoints_failed_total', 'Endpoints that failed, by what failed (ice, dtls)', 'reason', () => [
    ['ice', m.inputs().totals.endpointsIceFailed],
    ['dtls', m.inputs().totals.endpointsDtlsFailed],
  ]);
  counter('bytes_received_total', 'Media bytes received', () => m.inputs().socket.bytesIn);
  counter('bytes_sent_total', 'Media bytes sent', () => m.inputs().socket.bytesOut);
  counter('packets_received_total', 'Media datagrams received', () => m.inputs().socket.datagramsIn);
  counter('packets_sent_total', 'Media datagrams sent', () => m.inputs().socket.datagramsOut);
  counter(
    'colibri_web_socket_messages_received_total',
    'Bridge-channel messages received',
    () => m.inputs().channel.messagesReceived,
  );
  counter(
    'colibri_web_socket_messages_sent_total',
    'Bridge-channel messages sent',
    () => m.inputs().channel.messagesSent,
  );
  counter('colibri_requests_total', 'Colibri2 requests answered with a result', m.colibriSucceeded);
  counter('xmpp_disconnects_total', 'XMPP connection drops', m.xmppDisconnects);
  labelled('iq_errors_total', 'IQs answered with an error, by code', 'code', () => m.iqErrors().entries());
  labelled('colibri_web_socket_messages_dropped_total', 'Bridge-channel messages dropped, by reason', 'reason', () =>
    Object.entries(m.channelDrops()),
  );
  labelled('colibri_web_socket_closed_total', 'Bridge channels closed by the bridge, by reason', 'reason', () =>
    Object.entries(m.channelCloses()),
  );
  labelled('channel_opened_total', 'Bridge channels opened, by transport (websocket, sctp)', 'transport', () =>
    Object.entries(m.channelOpened()),
  );
  labelled(
    'sctp_dropped_total',
    'SCTP input dropped, by reason: malformed packets, bad DCEP, messages with no channel, window exceeded',
    'reason',
    () => Object.entries(m.sctpDrops()),
  );
  labelled('media_datagrams_dropped_total', 'Media datagrams dropped before an endpoint, by reason', 'reason', () =>
    Object.entries(m.mediaDrops()),
  );
  counter('rtp_packets_forwarded_total', 'RTP packets forwarded, one per receiver', m.rtpForwarded);
  labelled('forwarder_packets_dropped_total', 'Decrypted packets the forwarder dropped, by reason', 'reason', () =>
    Object.entries(m.forwardingDrops()),
  );
  counter(
    'ice_candidates_refused_total',
    'Signalled remote ICE candidates not used: names, IPv6, loopback/link-local (unless allowed), not unicast',
    m.iceCandidatesRefused,
  );
  counter(
    'transport_cc_feedback_sent_total',
    'Transport-cc feedback packets sent to senders (RTCP RTPFB 15), so their bandwidth estimators work',
    m.twccFeedbackSent,
  );
  counter('nacks_sent_total', 'NACK packets the bridge sent senders about loss on their uplink', m.nacksSent);
  counter(
    'nack_items_received_total',
    'NACK items (PID + bitmask) receivers sent about what they lost',
    m.nackItemsReceived,
  );
  labelled(
    'retransmissions_total',
    'Packets receivers NACKed: sent again (as RTX or the same packet), missed (no longer there), or rate-limited',
    'result',
    () => Object.entries(m.retransmissions()),
  );
  new Histogram({
    name: P + 'endpoint_bandwidth_estimate_bits_per_second',
    help: "Current endpoints by the bridge's send-side estimate of their downlink (bits per second), at scrape time",
    buckets: [100e3, 250e3, 500e3, 1e6, 2e6, 4e6, 8e6, 16e6],
    registers: [registry],
    collect() {
      this.reset();
      for (const bps of m.bandwidthEstimates?.() ?? []) this.observe(bps);
    },
  });
  registerDelayHistogram(
    registry,
    P + 'forwarding_delay_seconds',
    'Per packet the bridge sent while handling a received one: kernel receipt to sendmmsg (native socket only)',
    () => m.forwardingDelay?.(),
  );
  registerDelayHistogram(
    registry,
    P + 'receive_wait_seconds',
    'Per datagram: kernel receipt to the bridge reading it, the part of the forwarding delay a busy bridge adds (native socket only)',
    () => m.receiveWait?.(),
  );
  labelled('srtp_packets_dropped_total', 'Packets SRTP refused, by reason', 'reason', () =>
    Object.entries(m.srtpDrops()),
  );
  return registry;
}
