// Network namespaces joined to the test's own namespace by veth pairs, and a raw media peer in each
// (test/harness/netns-peer-child.ts), so `tc` and `iptables` can shape one peer's path to an in-process bridge.
// Needs root, `ip` with veth and `tc tbf`, and `iptables` for loss: `netnsUnavailable()` says which is missing.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@convene/xmpp-server';
import { ChildRpc } from './child-rpc.js';
import type { NetnsCommand, NetnsPeerStats } from './netns-peer-child.js';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaced network tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: ip netns, veth and tc need root (CI runs as root)';
  for (const tool of ['ip', 'tc', 'iptables'])
    if (!['/usr/sbin', '/sbin', '/usr/bin'].some((d) => existsSync(join(d, tool))))
      return `${tool} is not installed (apt-get install -y ${tool === 'iptables' ? 'iptables' : 'iproute2'})`;
  const probe = `cvp${process.pid % 100000}`;
  try {
    run('ip', ['link', 'add', `${probe}a`, 'type', 'veth', 'peer', 'name', `${probe}b`]);
    run('tc', [
      'qdisc',
      'add',
      'dev',
      `${probe}a`,
      'root',
      'tbf',
      'rate',
      '500kbit',
      'burst',
      '4kb',
      'latency',
      '50ms',
    ]);
  } catch (err) {
    return `veth or tc tbf unavailable: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  } finally {
    try {
      run('ip', ['link', 'del', `${probe}a`]);
    } catch {
      // never created
    }
  }
  return undefined;
}

const LOCK_DIR = '/tmp/convene-netns-tests.lock';

/**
 * Runs namespaced test files one at a time across jest workers: each measures timing through shaped links (an
 * estimate settling, a layer switch), and two at once on a small machine disturb each other's. A lock whose holder
 * died is taken over. Returns the release.
 */
export async function netnsLock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(`${LOCK_DIR}/pid`, 'utf8'));
    } catch {
      // being created or removed right now
    }
    if (holder > 0 && !isAlive(holder)) rmSync(LOCK_DIR, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`namespaced tests lock held by pid ${holder} for ${timeoutMs} ms`);
    else await new Promise((r) => setTimeout(r, 250));
  }
}

/** One namespace: `hostAddress` on our side of its veth, `address` inside it. */
export class Netns {
  readonly name: string;
  readonly hostDev: string;
  readonly hostAddress: string;
  readonly address: string;

  constructor(index: number) {
    const tag = (process.pid % 1000) * 10 + index;
    this.name = `cvn${tag}`;
    this.hostDev = `cvh${tag}`;
    const net = `10.${200 + (process.pid % 50)}.${index}`;
    this.hostAddress = `${net}.1`;
    this.address = `${net}.2`;
    const inside = `cvi${tag}`;
    run('ip', ['netns', 'add', this.name]);
    run('ip', ['link', 'add', this.hostDev, 'type', 'veth', 'peer', 'name', inside]);
    run('ip', ['link', 'set', inside, 'netns', this.name]);
    run('ip', ['addr', 'add', `${this.hostAddress}/24`, 'dev', this.hostDev]);
    run('ip', ['link', 'set', this.hostDev, 'up']);
    this.exec('ip', ['addr', 'add', `${this.address}/24`, 'dev', inside]);
    this.exec('ip', ['link', 'set', inside, 'up']);
    this.exec('ip', ['link', 'set', 'lo', 'up']);
  }

  exec(cmd: string, args: string[]): void {
    run('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Caps what goes into the namespace (its downlink) with a token bucket. */
  capDownlink(rate: string): void {
    run('tc', [
      'qdisc',
      'replace',
      'dev',
      this.hostDev,
      'root',
      'tbf',
      'rate',
      rate,
      'burst',
      '4kb',
      'latency',
      '100ms',
    ]);
  }

  uncap(): void {
    run('tc', ['qdisc', 'del', 'dev', this.hostDev, 'root']);
  }

  /** Drops a random share of UDP going in (`INPUT`, its downlink) or out (`OUTPUT`, its uplink); 0 removes it. */
  setLoss(chain: 'INPUT' | 'OUTPUT', probability: number): void {
    this.exec('iptables', ['-F', chain]);
    if (probability > 0)
      this.exec('iptables', [
        '-A',
        chain,
        '-p',
        'udp',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        `${probability}`,
        '-j',
        'DROP',
      ]);
  }

  remove(): void {
    try {
      run('ip', ['link', 'del', this.hostDev]);
    } catch {
      // gone with the namespace
    }
    try {
      run('ip', ['netns', 'del', this.name]);
    } catch {
      // already gone
    }
  }
}

/** A peer process inside `ns`, driven over IPC. */
export class NetnsPeer {
  readonly #rpc: ChildRpc<NetnsCommand>;

  private constructor(child: ChildProcess) {
    this.#rpc = new ChildRpc(child, 'netns peer');
  }

  static async start(ns: Netns): Promise<NetnsPeer> {
    // fork runs `execPath ...execArgv script`: `ip netns exec <ns> node --import tsx <child>`, IPC fd inherited.
    const child = fork(join(import.meta.dirname, 'netns-peer-child.ts'), [], {
      execPath: 'ip',
      execArgv: ['netns', 'exec', ns.name, process.execPath, '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const peer = new NetnsPeer(child);
    await peer.#rpc.ready();
    return peer;
  }

  request<T>(command: NetnsCommand): Promise<T> {
    return this.#rpc.request<T>(command);
  }

  stats(): Promise<NetnsPeerStats> {
    return this.request<NetnsPeerStats>({ op: 'stats' });
  }

  close(): void {
    this.#rpc.child.kill('SIGKILL');
  }
}
