import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { XmppServer } from '@convene/xmpp-server';

const ROOT = join(import.meta.dirname, '..', '..');

export interface BridgeProcessOptions {
  prosody: XmppServer;
  password: string;
  bridgeId?: string;
  /** Send ICE checks to loopback candidates (config allowLocalCandidates): true, as every test peer is on loopback. */
  allowLocalCandidates?: boolean;
  /**
   * Forward video to endpoints that never sent ReceiverVideoConstraints (`--initial-max-height-px -1`): for test
   * peers without a bridge channel. Browsers and lib-jitsi-meet send constraints, and get JVB's default (nothing
   * before them).
   */
  videoWithoutConstraints?: boolean;
  /** More `--flag value` pairs. */
  args?: readonly string[];
}

/** One JSON log line of the bridge. */
export type BridgeLogLine = Record<string, unknown> & { msg?: string; level?: number };

/**
 * A real bridge process (`node --import tsx bridge/src/main.ts`) on free loopback ports (private and public HTTP,
 * media), logging JSON to a buffer.
 */
export class BridgeProcess {
  readonly child: ChildProcess;
  readonly logs: BridgeLogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  /** The private server: REST, health, /metrics, drain, shutdown. */
  httpUrl = '';
  /** The public server: colibri-ws only. */
  publicHttpUrl = '';
  mediaPort = 0;
  readonly #waiters = new Set<{ match: (l: BridgeLogLine) => boolean; resolve: (l: BridgeLogLine) => void }>();

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let parsed: BridgeLogLine;
        try {
          parsed = JSON.parse(line) as BridgeLogLine;
        } catch {
          parsed = { msg: line };
        }
        this.logs.push(parsed);
        for (const w of this.#waiters) {
          if (w.match(parsed)) {
            this.#waiters.delete(w);
            w.resolve(parsed);
          }
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
  }

  static async start(o: BridgeProcessOptions): Promise<BridgeProcess> {
    const args = [
      '--import',
      'tsx',
      'bridge/src/main.ts',
      '--xmpp-host',
      o.prosody.bindAddress,
      '--xmpp-port',
      String(o.prosody.ports.c2s),
      '--domain',
      o.prosody.layout.domain,
      '--bridge-id',
      o.bridgeId ?? 'jvb1',
      '--http-port',
      '0',
      '--public-http-port',
      '0',
      '--media-port',
      '0',
      '--media-bind-address',
      '127.0.0.1',
      '--presence-interval-ms',
      '1000',
      '--log-level',
      'debug',
      ...(o.allowLocalCandidates === false ? [] : ['--allow-local-candidates']),
      ...(o.videoWithoutConstraints === true ? ['--initial-max-height-px', '-1'] : []),
      ...(o.args ?? []),
    ];
    // PR_SET_PDEATHSIG (setpriv execs in place): a test process that dies takes its bridge with it.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...args], {
      cwd: ROOT,
      // The password comes through the environment, as an operator would pass a secret.
      // eslint-disable-next-line no-restricted-properties -- test harness: pass the environment on
      env: { ...process.env, CONVENE_BRIDGE_XMPP_PASSWORD: o.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const b = new BridgeProcess(child);
    const started = await Promise.race([
      b.waitForLog('bridge started', (l) => l.msg === 'bridge started', 30_000),
      b.exited.then((code) => {
        throw new Error(`bridge exited with ${code} before starting: ${b.stderr.join('')}`);
      }),
    ]);
    b.httpUrl = String(started.httpUrl);
    b.publicHttpUrl = String(started.publicHttpUrl);
    b.mediaPort = Number(started.mediaPort);
    return b;
  }

  /** The first log line (already logged or within the deadline) that matches. */
  waitForLog(what: string, match: (l: BridgeLogLine) => boolean, timeoutMs = 10_000): Promise<BridgeLogLine> {
    const seen = this.logs.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`bridge: no log line matching ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.#waiters.add(waiter);
    });
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  async close(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      const code = await this.exited;
      clearTimeout(t);
      return code;
    }
    return this.exited;
  }
}
