// Janus (Debian's `janus`, VideoRoom plugin) as the reference server of npm run bench. Janus gathers ICE
// candidates on every interface it sees, so it runs in a network namespace of its own, joined to the host by
// a veth pair with a /30 of our choosing: media and its HTTP API only ever cross that pair.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TransportParams } from '@convene/bridge/conference';
import type { LoadCommand } from '../../test/harness/bench-load-process.js';
import { JanusApi } from './janus-api.js';
import { publisherOffer, sdpTransport, subscriberAnswer } from './janus-sdp.js';
import { forkLoads, peerSpecs, Scenario, waitLoadsReady, type Rpc, type Target } from '../lib/scenario.js';

const NS = 'cvn-bench-janus';
const HOST_IF = 'cvnbj0';
const NS_IF = 'cvnbj1';
export const HOST_ADDR = '10.201.7.1';
export const JANUS_ADDR = '10.201.7.2';
const LIB = '/usr/lib/x86_64-linux-gnu/janus';
const PLUGINS_OFF = 'audiobridge duktape echotest lua nosip recordplay sip streaming textroom videocall voicemail';
const TRANSPORTS_OFF = 'mqtt nanomsg pfunix rabbitmq websockets';
const EVENTS_OFF = 'gelfevh mqttevh nanomsgevh rabbitmqevh sampleevh wsevh';

const so = (names: string): string =>
  names
    .split(' ')
    .map((n) => `libjanus_${n}.so`)
    .join(',');

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** True when this machine can run the Janus side: the binary is there and we may make namespaces. */
export function janusAvailable(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v janus'], { stdio: 'ignore' });
  } catch {
    return 'janus is not installed (apt-get install -y janus)';
  }
  if (process.getuid?.() !== 0) return 'making a network namespace needs root';
  return undefined;
}

/** A Janus process in its own network namespace; `close()` ends it and removes the namespace. */
export class JanusServer {
  readonly child: ChildProcess;
  readonly #dir: string;
  readonly log: string[] = [];

  private constructor(child: ChildProcess, dir: string) {
    this.child = child;
    this.#dir = dir;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => this.log.push(d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.log.push(d));
  }

  get url(): string {
    return `http://${JANUS_ADDR}:8088/janus`;
  }

  static async start(): Promise<JanusServer> {
    JanusServer.#removeNamespace();
    ip('netns', 'add', NS);
    try {
      ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
      ip('link', 'set', NS_IF, 'netns', NS);
      ip('addr', 'add', `${HOST_ADDR}/30`, 'dev', HOST_IF);
      ip('link', 'set', HOST_IF, 'up');
      ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${JANUS_ADDR}/30`, 'dev', NS_IF);
      ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
      ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    } catch (err) {
      JanusServer.#removeNamespace();
      throw err;
    }
    const dir = mkdtempSync('/tmp/convene-bench-janus-');
    writeFileSync(
      join(dir, 'janus.jcfg'),
      `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  session_timeout = 120
}
certificates: {
  rsa_private_key = true
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  ice_enforce_list = "${NS_IF}"
  full_trickle = false
}
plugins: { disable = "${so(PLUGINS_OFF)}" }
transports: { disable = "${so(TRANSPORTS_OFF)}" }
events: { broadcast = false disable = "${so(EVENTS_OFF)}" }
loggers: { disable = "libjanus_jsonlog.so" }
`,
    );
    writeFileSync(
      join(dir, 'janus.transport.http.jcfg'),
      'general: { json = "plain" base_path = "/janus" http = true port = 8088 https = false }\nadmin: { admin_http = false }\n',
    );
    writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {}\n');
    // `ip netns exec` execs janus in place, so the child's pid is Janus's own (for /proc/<pid>/stat).
    const child = spawn('ip', ['netns', 'exec', NS, 'janus', '-F', dir, '-C', join(dir, 'janus.jcfg'), '-o'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new JanusServer(child, dir);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const r = await fetch(`${server.url}/info`, { signal: AbortSignal.timeout(1_000) });
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        await server.close();
        throw new Error(`janus did not start: ${server.log.join('').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return server;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    JanusServer.#removeNamespace();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  static #removeNamespace(): void {
    try {
      ip('netns', 'del', NS); // takes the veth pair with it
    } catch {
      // not there
    }
  }
}

/**
 * The same conference through Janus's VideoRoom: each sender publishes (one PeerConnection), and every
 * endpoint with something to receive subscribes to all the other publishers in one multistream
 * PeerConnection. A sender's subscriber belongs to the sender's endpoint, so the accounting is Convene's.
 */
export async function janusScenario(
  server: JanusServer,
  o: { senders: number; receivers: number; loadProcesses?: number },
): Promise<Scenario> {
  const api = new JanusApi(server.url);
  await api.open();
  const target: Target = {
    pid: server.child.pid!,
    forwarded: () => Promise.resolve(undefined),
    close: () => api.close(),
  };
  const loads = forkLoads(o.loadProcesses ?? 2);
  const specs = peerSpecs(o.senders, o.receivers);
  const scenario = new Scenario(
    target,
    loads,
    specs.map((p) => p.id),
  );
  try {
    const room = 1000 + Math.floor(Math.random() * 1e6);
    const admin = await api.attach();
    await api.request(admin, {
      request: 'create',
      room,
      publishers: o.senders + 1,
      audiocodec: 'opus',
      videocodec: 'vp8',
      bitrate: 0,
      notify_joining: false,
    });
    // Peers: a publisher per sender, a subscriber per endpoint that has anyone to receive from.
    const peers = [
      ...specs
        .filter((p) => p.streams.length > 0)
        .map((p) => ({
          id: p.id,
          streams: p.streams,
          opts: { bindAddress: HOST_ADDR, iceControlling: true, dtlsRole: 'client' as const, endpoint: p.id },
        })),
      ...specs
        .filter((p) => o.senders > (p.streams.length > 0 ? 1 : 0))
        .map((p) => ({
          id: `${p.id}~sub`,
          streams: [],
          opts: { bindAddress: HOST_ADDR, dtlsRole: 'client' as const, endpoint: p.id },
        })),
    ];
    const perLoad = loads.map((_, li) => peers.filter((_, i) => i % loads.length === li));
    const loadOf = new Map<string, Rpc>();
    perLoad.forEach((ps, li) => ps.forEach((p) => loadOf.set(p.id, loads[li]!)));
    const local: Record<string, TransportParams> = Object.assign(
      {},
      ...(await Promise.all(
        loads.map((l, li) => l.call({ cmd: 'create', peers: perLoad[li]!, profile: 'any' } satisfies LoadCommand)),
      )),
    ) as Record<string, TransportParams>;
    const connect = (id: string, t: TransportParams): Promise<unknown> =>
      loadOf.get(id)!.call({ cmd: 'connect', bridge: { [id]: t } } satisfies LoadCommand);

    const feeds = new Map<string, number>();
    for (const p of specs.filter((s) => s.streams.length > 0)) {
      const h = await api.attach();
      const joined = await api.message(h, { request: 'join', ptype: 'publisher', room, display: p.id });
      feeds.set(p.id, Number(joined.plugindata!.data.id));
      const offer = publisherOffer(local[p.id]!, p.streams[0]!.ssrc, p.streams[1]!.ssrc);
      const answer = await api.message(
        h,
        { request: 'publish', audio: true, video: true },
        { type: 'offer', sdp: offer },
      );
      if (answer.jsep === undefined) throw new Error(`janus: no answer for publisher ${p.id}`);
      await connect(p.id, sdpTransport(answer.jsep.sdp));
    }
    // Janus offers a feed to subscribers only once its publisher's PeerConnection is up.
    await waitLoadsReady(loads, feeds.size);
    for (const p of specs) {
      const others = [...feeds].filter(([id]) => id !== p.id).map(([, feed]) => ({ feed }));
      if (others.length === 0) continue;
      const id = `${p.id}~sub`;
      const h = await api.attach();
      let offered: Awaited<ReturnType<JanusApi['message']>> | undefined;
      for (let tries = 0; offered === undefined; tries++) {
        try {
          offered = await api.message(h, { request: 'join', ptype: 'subscriber', room, streams: others });
        } catch (err) {
          if (tries >= 40 || !String(err).includes('No such feed')) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      if (offered.jsep === undefined) throw new Error(`janus: no offer for subscriber ${id}`);
      await connect(id, sdpTransport(offered.jsep.sdp));
      await api.message(
        h,
        { request: 'start' },
        { type: 'answer', sdp: subscriberAnswer(offered.jsep.sdp, local[id]!) },
      );
    }
    await waitLoadsReady(loads, peers.length);
  } catch (err) {
    await scenario.close();
    throw err;
  }
  return scenario;
}
