// One bench conference: S senders (audio + video each) and R receive-only endpoints on a bridge
// MediaServer in its own process (bench/forward/bridge-process.ts), with the load peers spread over
// separate load processes (test/harness/bench-load-process.ts). Every figure the bench reports comes
// from here: packets are accounted by stream sequence range, CPU and RSS from /proc/<pid>/stat.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SourceParams, TransportParams } from '@convene/bridge/conference';
import type { BenchStream } from '../../test/harness/bench-peer.js';
import { histQuantile } from '../../test/harness/bench-peer.js';
import type { LoadCommand, LoadCount } from '../../test/harness/bench-load-process.js';
import { pinServer } from './pin.js';
import { Rpc, closeChild, procSched, procStat, waitUntil } from './proc.js';
import {
  VP8_RTX_PT,
  constraintMessage,
  simulcastFanout,
  simulcastSources,
  simulcastSpecs,
  type SimulcastConstraint,
} from './simulcast.js';
import { VP8_BENCH_PT } from '../../test/harness/bench-vp8.js';

export { Rpc, closeChild, procSched, procStat } from './proc.js';

export const AUDIO = { pt: 111, size: 120, pps: 50 } as const;
export const VIDEO = { pt: 100, size: 1100, pps: 300 } as const;

/** A warm-up's rate multiple: the scenario's own (1 by default), raised to up to 4 while that forwards <= ~20k pkt/s. */
export function warmUpScale(shape: { senders: number; receivers: number; rateScale?: number }): number {
  const forwarded = shape.senders * (AUDIO.pps + VIDEO.pps) * (shape.senders + shape.receivers - 1);
  return Math.max(shape.rateScale ?? 1, Math.min(4, Math.floor(20_000 / forwarded)));
}

export interface ScenarioOptions {
  senders: number;
  receivers: number;
  /** Load processes the peers are spread over (round robin). */
  loadProcesses?: number;
  profile?: 'gcm' | 'cm';
  /** Directory for the bridge's `--cpu-prof` output, when profiling. */
  cpuProfDir?: string;
  /** The bridge process script; another checkout's copy measures that checkout's bridge (bench/lib/base-tree.ts). */
  bridgeProcess?: string;
  /**
   * Senders put a transport-wide sequence number (this one-byte extension id) in every packet and the conference
   * negotiates it and RTX for video, as a Jitsi call does; 0 leaves both out.
   */
  transportCc?: number;
  /** The bridge's socket: the addon's batched one (native, the default) or node's dgram. */
  udp?: 'native' | 'node';
  /**
   * Senders send three VP8 simulcast encodings (bench/lib/simulcast.ts) and every endpoint asks this maxHeight
   * over the bridge channel (-1: sends no constraints; `all`: no SIM group, see simulcast.ts); undefined: one plain
   * video stream each, as before.
   */
  simulcast?: SimulcastConstraint;
}

/** The RTX payload type of the bench's video, and its streams' RTX SSRCs (primary + this). */
export const RTX_PT = 96;
const RTX_SSRC_OFFSET = 0x10000;

export interface StepOptions {
  seconds: number;
  /** Multiplies every stream's packet rate (the ramp). */
  rateScale?: number;
  /** Skip (never send) every packet whose stream sequence is k-1 mod k: a deliberate loss of 1/k. */
  dropEvery?: number;
  /**
   * The load peers' send tick (ms, 2 by default): each tick sends what is due, so a longer one sends each stream in
   * bursts, as a WebRTC sender's pacer does (Chromium's sends every 5 ms), where 2 ms spreads packets out.
   */
  paceMs?: number;
  /** Time allowed for packets in flight after the last send. */
  drainMs?: number;
  /**
   * Then keep counting, up to this long, until every packet actually sent has arrived (for the accounting
   * test on a busy machine: a late packet is not a lost one there). The CPU figures stop at the drain.
   */
  settleMs?: number;
}

export interface StepResult {
  seconds: number;
  rateScale: number;
  /** Packets the senders accounted (sent + deliberately skipped), per second. */
  offeredPps: number;
  /** Every accounted packet times the endpoints it should reach. */
  expected: number;
  received: number;
  lost: number;
  /** Of `lost`, packets deliberately never sent, times their fan-out. */
  deliberatelyLost: number;
  duplicates: number;
  failedDecrypt: number;
  lossPct: number;
  /** Distinct packets delivered to receivers per second of sending. */
  forwardedPps: number;
  /** The bridge's own rtpForwarded counter over the step. */
  bridgeForwarded: number;
  bridgeCpuPct: number;
  /**
   * Time the server's threads were ready to run but waited for a CPU (the scheduler's run-queue wait, summed
   * over its threads), as % of the sending time. High means the machine, not the server, set the pace.
   */
  bridgeCpuWaitPct: number;
  cpuUsPerForwarded: number;
  /**
   * Of that, the kernel's (stime): system calls and, on loopback, the delivery into each receiver's socket that a
   * sender is charged for. Every server pays it alike per datagram; only the user-space rest is the server's code.
   */
  sysUsPerForwarded: number;
  rssMiB: number;
  latencyP50Us: number;
  latencyP99Us: number;
  /**
   * The bridge's own delay, kernel receipt -> sent, per packet it sent while handling a received one (its native
   * socket's histogram over the step); NaN where the server does not measure it (dgram, Janus, mediasoup).
   */
  bridgeDelayP50Us: number;
  bridgeDelayP99Us: number;
  /** Of that delay, the wait in the socket before the bridge read each datagram (p99; NaN where not measured). */
  bridgeWaitP99Us: number;
  loadCpuPct: number;
  /** Distinct packets each load peer received: which peer connection fell short. */
  receivedByPeer: Record<string, number>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** The server under test as the scenario sees it. */
export interface Target {
  readonly pid: number;
  /** The server's own count of forwarded RTP packets, where it has one. */
  forwarded(): Promise<number | undefined>;
  /**
   * The server's own delay histogram and its receive-wait part (cumulative; transport/packet-socket.ts), where it
   * keeps them.
   */
  histograms?(): Promise<{ delay?: number[]; wait?: number[] }>;
  close(): Promise<void>;
}

/** The peers of a scenario: S senders with audio and video, then R receive-only endpoints. */
export function peerSpecs(senders: number, receivers: number): Array<{ id: string; streams: BenchStream[] }> {
  const specs: Array<{ id: string; streams: BenchStream[] }> = [];
  for (let i = 0; i < senders; i++)
    specs.push({
      id: `s${i + 1}`,
      streams: [
        { ssrc: 0x1000 + 2 * i, kind: 'audio', ...AUDIO },
        { ssrc: 0x1001 + 2 * i, kind: 'video', ...VIDEO },
      ],
    });
  for (let i = 0; i < receivers; i++) specs.push({ id: `r${i + 1}`, streams: [] });
  return specs;
}

/** Forks `n` load processes. */
export function forkLoads(n: number): Rpc[] {
  return Array.from(
    { length: n },
    () =>
      new Rpc(
        fork(`${here}../../test/harness/bench-load-process.ts`, [], {
          execArgv: ['--import', 'tsx'],
          stdio: 'inherit',
        }),
        false,
      ),
  );
}

/** Waits until every load peer has SRTP keys. */
export async function waitLoadsReady(loads: Rpc[], total: number): Promise<void> {
  await waitUntil(
    'every load peer keyed',
    async () =>
      (await Promise.all(loads.map((l) => l.call<number>({ cmd: 'ready' })))).reduce((a, b) => a + b) >= total,
    20_000 + 200 * total,
  );
}

/** A conference set up on a server under test with its load processes; `step()` measures. */
export class Scenario {
  readonly #target: Target;
  readonly #loads: Rpc[];
  /** Every conference endpoint: a stream is due at every endpoint but its sender's. */
  readonly #endpoints: readonly string[];
  /** How many endpoints a stream is due at (simulcast: only receivers of its encoding); all but its sender's. */
  readonly #fanout: (owner: string, ssrc: number) => number;

  constructor(
    target: Target,
    loads: Rpc[],
    endpoints: readonly string[],
    fanout?: (owner: string, ssrc: number) => number,
  ) {
    this.#target = target;
    pinServer(target.pid);
    this.#loads = loads;
    this.#endpoints = endpoints;
    this.#fanout = fanout ?? ((owner) => this.#endpoints.filter((id) => id !== owner).length);
  }

  get targetPid(): number {
    return this.#target.pid;
  }

  /** S senders and R receivers on a Convene MediaServer in its own process (bench/forward/bridge-process.ts). */
  static async convene(o: ScenarioOptions): Promise<Scenario> {
    const opts = { loadProcesses: 2, profile: 'gcm' as const, ...o };
    const prof = opts.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`];
    // A base checkout's bridge-process.ts (bench/lib/base-tree.ts) may predate the socket argument and ignore it.
    const script = opts.bridgeProcess ?? `${here}../forward/bridge-process.ts`;
    const bridge = new Rpc(
      fork(script, ['native', opts.udp ?? 'native'], { execArgv: ['--import', 'tsx', ...prof], stdio: 'inherit' }),
      true,
    );
    const tcc = opts.transportCc ?? 0;
    const target: Target = {
      pid: bridge.child.pid!,
      forwarded: async () => (await bridge.call<{ forwarded: number }>({ cmd: 'counters' })).forwarded,
      histograms: async () => await bridge.call<{ delay?: number[]; wait?: number[] }>({ cmd: 'counters' }),
      close: () => closeChild(bridge),
    };
    const loads = forkLoads(opts.loadProcesses);
    const sim = opts.simulcast;
    const specs =
      sim === undefined ? peerSpecs(opts.senders, opts.receivers) : simulcastSpecs(opts.senders, opts.receivers);
    const s = new Scenario(
      target,
      loads,
      specs.map((p) => p.id),
      sim === undefined ? undefined : simulcastFanout(specs, sim),
    );
    try {
      const perLoad = loads.map((_, li) => specs.filter((_, i) => i % loads.length === li));
      const local = await Promise.all(
        loads.map((l, li) =>
          l.call<Record<string, TransportParams>>({
            cmd: 'create',
            peers: perLoad[li]!.map((p) => (tcc > 0 ? { ...p, opts: { transportCc: tcc } } : p)),
            profile: opts.profile,
          } satisfies LoadCommand),
        ),
      );
      const endpoints = specs.map((p) =>
        sim !== undefined
          ? { id: p.id, ...simulcastSources(p.id, p.streams, sim) }
          : {
              id: p.id,
              sources: p.streams.flatMap((st): SourceParams[] =>
                tcc > 0 && st.kind === 'video'
                  ? [
                      { ssrc: st.ssrc, kind: st.kind, rtxSsrc: st.ssrc + RTX_SSRC_OFFSET },
                      { ssrc: st.ssrc + RTX_SSRC_OFFSET, kind: st.kind },
                    ]
                  : [{ ssrc: st.ssrc, kind: st.kind }],
              ),
            },
      );
      const bridgeSide = await bridge.call<Record<string, TransportParams>>({
        cmd: 'conference',
        endpoints,
        profile: opts.profile,
        ...(tcc > 0
          ? { transportCc: tcc, rtx: [sim === undefined ? [VIDEO.pt, RTX_PT] : [VP8_BENCH_PT, VP8_RTX_PT]] }
          : {}),
        ...(sim === undefined ? {} : { vp8Pt: VP8_BENCH_PT }),
      });
      for (const [li, l] of loads.entries()) {
        const mine = Object.fromEntries(perLoad[li]!.map((p) => [p.id, bridgeSide[p.id]!]));
        await l.call({ cmd: 'connect', bridge: mine } satisfies LoadCommand);
        for (const [id, t] of Object.entries(local[li]!)) await bridge.call({ cmd: 'remote', id, transport: t });
      }
      await waitLoadsReady(loads, specs.length);
      await waitUntil(
        'every bridge endpoint connected',
        async () => (await bridge.call<{ connected: number }>({ cmd: 'status' })).connected === specs.length,
        20_000 + 200 * specs.length,
      );
      if (typeof sim === 'number' && sim >= 0) {
        // Every endpoint asks its height over colibri-ws, from the load process that hosts it.
        const urls = await bridge.call<Record<string, string>>({ cmd: 'channel' });
        await Promise.all(
          loads.map((l, li) =>
            l.call({
              cmd: 'channel',
              urls: Object.fromEntries(perLoad[li]!.map((p) => [p.id, urls[p.id]!])),
              message: constraintMessage(sim),
            } satisfies LoadCommand),
          ),
        );
      }
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  /** Sends for `seconds` at the scenario's rates and accounts every packet. */
  async step(o: StepOptions): Promise<StepResult> {
    const rateScale = o.rateScale ?? 1;
    const dropEvery = o.dropEvery ?? 0;
    const before = Object.assign(
      {},
      ...(await Promise.all(this.#loads.map((l) => l.call<Record<string, number>>({ cmd: 'position' })))),
    ) as Record<string, number>;
    await Promise.all(this.#loads.map((l) => l.call({ cmd: 'reset' })));
    const f0 = await this.#target.forwarded();
    const h0 = await this.#target.histograms?.();
    const loadPids = this.#loads.map((l) => l.child.pid!);
    const load0 = loadPids.reduce((n, pid) => n + procStat(pid).cpuUs, 0);
    const p0 = procStat(this.#target.pid);
    const w0 = procSched(this.#target.pid).waitNs;
    const t0 = process.hrtime.bigint();
    const after = Object.assign(
      {},
      ...(await Promise.all(
        this.#loads.map((l) =>
          l.call<Record<string, number>>({ cmd: 'send', seconds: o.seconds, rateScale, dropEvery, paceMs: o.paceMs }),
        ),
      )),
    ) as Record<string, number>;
    const sendSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    await new Promise((r) => setTimeout(r, o.drainMs ?? 500));
    const p1 = procStat(this.#target.pid);
    const w1 = procSched(this.#target.pid).waitNs;
    const load1 = loadPids.reduce((n, pid) => n + procStat(pid).cpuUs, 0);
    const ranges: Record<string, [number, number]> = {};
    for (const key of Object.keys(after)) if (after[key]! > before[key]!) ranges[key] = [before[key]!, after[key]!];
    let expected = 0;
    let deliberatelyLost = 0;
    let offered = 0;
    for (const [key, [from, to]] of Object.entries(ranges)) {
      const [owner, ssrc] = key.split('/');
      const fanout = this.#fanout(owner!, Number(ssrc));
      const skipped = dropEvery > 0 ? countSkipped(from, to, dropEvery) : 0;
      offered += to - from;
      expected += (to - from) * fanout;
      deliberatelyLost += skipped * fanout;
    }
    const settleUntil = Date.now() + (o.settleMs ?? 0);
    let counts: LoadCount[];
    let received: number;
    for (;;) {
      counts = await Promise.all(this.#loads.map((l) => l.call<LoadCount>({ cmd: 'count', ranges })));
      received = counts.reduce((n, c) => n + Object.values(c.received).reduce((a, b) => a + b, 0), 0);
      if (received + deliberatelyLost >= expected || Date.now() >= settleUntil) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const f1 = await this.#target.forwarded();
    const h1 = await this.#target.histograms?.();
    const since = (a: number[] | undefined, b: number[] | undefined): number[] =>
      a === undefined || b === undefined ? [] : b.map((n, i) => n - a[i]!);
    const delay = since(h0?.delay, h1?.delay);
    const wait = since(h0?.wait, h1?.wait);
    const hist = counts[0]!.hist.map((_, i) => counts.reduce((n, c) => n + c.hist[i]!, 0));
    const cpuUs = p1.cpuUs - p0.cpuUs;
    const bridgeForwarded = f0 === undefined || f1 === undefined ? NaN : f1 - f0;
    return {
      seconds: o.seconds,
      rateScale,
      offeredPps: offered / o.seconds,
      expected,
      received,
      lost: expected - received,
      deliberatelyLost,
      duplicates: counts.reduce((n, c) => n + c.duplicates, 0),
      failedDecrypt: counts.reduce((n, c) => n + c.failed, 0),
      lossPct: expected === 0 ? 0 : (100 * (expected - received)) / expected,
      forwardedPps: received / o.seconds,
      bridgeForwarded,
      bridgeCpuPct: (100 * cpuUs) / (sendSecs * 1e6),
      bridgeCpuWaitPct: (100 * (w1 - w0)) / (sendSecs * 1e9),
      cpuUsPerForwarded: received === 0 ? NaN : cpuUs / received,
      sysUsPerForwarded: received === 0 ? NaN : (p1.sysUs - p0.sysUs) / received,
      rssMiB: p1.rssBytes / 2 ** 20,
      latencyP50Us: histQuantile(hist, 0.5),
      latencyP99Us: histQuantile(hist, 0.99),
      bridgeDelayP50Us: histQuantile(delay, 0.5),
      bridgeDelayP99Us: histQuantile(delay, 0.99),
      bridgeWaitP99Us: histQuantile(wait, 0.99),
      loadCpuPct: (100 * (load1 - load0)) / (sendSecs * 1e6),
      receivedByPeer: Object.assign({}, ...counts.map((c) => c.received)) as Record<string, number>,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#target.close(), ...this.#loads.map(closeChild)]);
  }
}

/** Sequences s in [from, to) with s mod k === k - 1. */
export function countSkipped(from: number, to: number, k: number): number {
  const upTo = (n: number): number => Math.floor(n / k); // count in [0, n)
  return upTo(to) - upTo(from);
}
