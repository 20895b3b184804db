// The bridge's statistics under JVB's key names (VideobridgeStatisticsShim), shared by the brewery presence
// (PROTOCOL.md §6), GET /colibri/stats and /metrics. Rates are computed between two samples.
import type { ConferenceTotals } from '../conference/index.js';

/** Counters and state the stats are computed from; every field is read, never written, here. */
export interface StatsInputs {
  conferenceSizes: readonly number[];
  totals: Readonly<ConferenceTotals>;
  /** Media socket counters (all endpoints). */
  socket: { datagramsIn: number; bytesIn: number; datagramsOut: number; bytesOut: number };
  /** Bridge channel messages, all transports. */
  channel: { messagesReceived: number; messagesSent: number };
  /** The same by transport: colibri-ws and the SCTP data channel. */
  channelMessages: Readonly<Record<'websocket' | 'sctp', { received: number; sent: number }>>;
  drain: boolean;
  gracefulShutdown: boolean;
  shuttingDown: boolean;
  healthy: boolean;
  mucsJoined: number;
}

export interface StatsOptions {
  version: string;
  region: string | undefined;
  /** Packets per second (in + out) that count as stress 1.0. */
  maxPacketRate: number;
  /**
   * The share of its time the bridge's one JavaScript thread (which handles every packet) may be busy at stress
   * 1.0: stress is the higher of the packet-rate and this measure, so a bridge whose thread is saturated never
   * reports itself idle, whatever packet rate it was configured for (default 0.8).
   */
  maxLoopUtilization?: number;
  /** The thread's busy share (0..1) since the previous call: `performance.eventLoopUtilization` in main.ts. */
  loopUtilization?: () => number;
  /** JVB's average-participant-stress default. */
  averageParticipantStress?: number;
}

/** One sample of the counters that rates are computed from. */
interface Sample {
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
}

/** Rates over the last sampling interval, as JVB reports them. */
export interface Rates {
  bitRateDownloadKbps: number;
  bitRateUploadKbps: number;
  packetRateDownload: number;
  packetRateUpload: number;
}

const ZERO_RATES: Rates = { bitRateDownloadKbps: 0, bitRateUploadKbps: 0, packetRateDownload: 0, packetRateUpload: 0 };

/** Computes JVB-named stats; call `sample()` on a timer so rates cover a fixed interval. */
export class BridgeStats {
  readonly #opts: StatsOptions;
  readonly #inputs: () => StatsInputs;
  #last: Sample | undefined;
  #rates: Rates = ZERO_RATES;
  #loop = 0;

  constructor(options: StatsOptions, inputs: () => StatsInputs) {
    this.#opts = options;
    this.#inputs = inputs;
  }

  get rates(): Rates {
    return this.#rates;
  }

  /** The thread's busy share (0..1) over the last sampling interval. */
  get loopUtilization(): number {
    return this.#loop;
  }

  /** Takes a sample and updates the rates from the previous one. */
  sample(now = Date.now()): void {
    const s = this.#inputs().socket;
    const cur: Sample = {
      at: now,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      packetsIn: s.datagramsIn,
      packetsOut: s.datagramsOut,
    };
    const prev = this.#last;
    this.#last = cur;
    const loop = this.#opts.loopUtilization?.();
    if (loop !== undefined && Number.isFinite(loop)) this.#loop = Math.min(1, Math.max(0, loop));
    if (prev === undefined || cur.at <= prev.at) return;
    this.#rates = computeRates(prev, cur);
  }

  /**
   * Stress 1.0 = the configured packet rate (JVB's default load measurement), or the thread busy for
   * maxLoopUtilization of its time, whichever is reached first.
   */
  get stressLevel(): number {
    const r = this.#rates;
    const packets = (r.packetRateDownload + r.packetRateUpload) / this.#opts.maxPacketRate;
    return Math.max(packets, this.#loop / (this.#opts.maxLoopUtilization ?? 0.8));
  }

  /** Every stat as JVB names it; `conference_sizes` is the only non-scalar. */
  snapshot(now = new Date()): Record<string, string | number | boolean | number[]> {
    const i = this.#inputs();
    const sizes = i.conferenceSizes;
    const participants = sizes.reduce((a, b) => a + b, 0);
    const r = this.#rates;
    const stats: Record<string, string | number | boolean | number[]> = {
      stress_level: this.stressLevel,
      average_participant_stress: this.#opts.averageParticipantStress ?? 0.01,
      drain: i.drain,
      graceful_shutdown: i.gracefulShutdown,
      shutting_down: i.shuttingDown,
      healthy: i.healthy,
      version: this.#opts.version,
      release: this.#opts.version,
      conferences: sizes.length,
      participants,
      endpoints: participants,
      local_endpoints: participants,
      largest_conference: sizes.reduce((a, b) => Math.max(a, b), 0),
      p2p_conferences: 0,
      bit_rate_download: r.bitRateDownloadKbps,
      bit_rate_upload: r.bitRateUploadKbps,
      packet_rate_download: r.packetRateDownload,
      packet_rate_upload: r.packetRateUpload,
      rtt_aggregate: 0,
      total_conferences_created: i.totals.conferencesCreated,
      total_conferences_completed: i.totals.conferencesCompleted,
      total_conference_seconds: i.totals.conferenceSeconds,
      total_participants: i.totals.endpointsCreated,
      // ICE failures only (never connected, or consent lost): a hang-up (close_notify) is a normal end.
      total_ice_failed: i.totals.endpointsIceFailed,
      dtls_failed_endpoints: i.totals.endpointsDtlsFailed,
      total_bytes_received: i.socket.bytesIn,
      total_bytes_sent: i.socket.bytesOut,
      total_packets_received: i.socket.datagramsIn,
      total_packets_sent: i.socket.datagramsOut,
      total_colibri_web_socket_messages_received: i.channelMessages.websocket.received,
      total_colibri_web_socket_messages_sent: i.channelMessages.websocket.sent,
      total_data_channel_messages_received: i.channelMessages.sctp.received,
      total_data_channel_messages_sent: i.channelMessages.sctp.sent,
      mucs_configured: 1,
      mucs_joined: i.mucsJoined,
      threads: 1,
      current_timestamp: formatTimestamp(now),
      conference_sizes: conferenceSizeHistogram(sizes),
    };
    if (this.#opts.region !== undefined) stats.region = this.#opts.region;
    return stats;
  }

  /** The stats the brewery presence carries: every scalar of the snapshot. */
  presenceStats(): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(this.snapshot())) if (!Array.isArray(v)) out[k] = v;
    return out;
  }
}

/** Rates between two samples, rounded as JVB reports them (kbps and packets per second, integers). */
export function computeRates(prev: Sample, cur: Sample): Rates {
  const secs = (cur.at - prev.at) / 1000;
  const per = (a: number, b: number) => Math.max(0, Math.round((b - a) / secs));
  return {
    bitRateDownloadKbps: Math.max(0, Math.round(((cur.bytesIn - prev.bytesIn) * 8) / 1000 / secs)),
    bitRateUploadKbps: Math.max(0, Math.round(((cur.bytesOut - prev.bytesOut) * 8) / 1000 / secs)),
    packetRateDownload: per(prev.packetsIn, cur.packetsIn),
    packetRateUpload: per(prev.packetsOut, cur.packetsOut),
  };
}

/** JVB's `conference_sizes`: index n counts conferences with n endpoints, the last bucket (21) is "21 or more". */
export function conferenceSizeHistogram(sizes: readonly number[]): number[] {
  const buckets = new Array<number>(22).fill(0);
  for (const s of sizes) buckets[Math.min(s, 21)] = (buckets[Math.min(s, 21)] ?? 0) + 1;
  return buckets;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC, JVB's `current_timestamp`. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
