// Debian's prometheus on a free loopback port with temporary storage, scraping deploy/prometheus's jobs pointed
// at a test stack; queried through its HTTP API.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '@convene/xmpp-server';
import { waitUntil } from './wait-for.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMETHEUS_CONFIG = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus', 'prometheus.yml');

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

/** One sample of an instant query: its labels and value. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/**
 * deploy/prometheus/prometheus.yml with each job's targets replaced (`job name -> host:port`) and a 1 s interval,
 * so two scrapes take two seconds. Throws if the file lacks a job this asks for.
 */
export function configFor(targets: Record<string, string>): string {
  const config = parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as {
    global: Record<string, string>;
    scrape_configs: ScrapeConfig[];
  };
  config.global.scrape_interval = '1s';
  config.global.evaluation_interval = '1s';
  for (const [job, target] of Object.entries(targets)) {
    const scrape = config.scrape_configs.find((s) => s.job_name === job);
    if (scrape === undefined) throw new Error(`${PROMETHEUS_CONFIG} has no job ${job}`);
    delete scrape.scrape_interval;
    scrape.static_configs = [{ ...scrape.static_configs[0], targets: [target] }];
  }
  return stringify(config);
}

export class Prometheus {
  private constructor(
    readonly dir: string,
    readonly child: ChildProcess,
    readonly url: string,
    readonly logs: string[],
  ) {}

  static async start(targets: Record<string, string>): Promise<Prometheus> {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: sudo apt-get install -y prometheus`);
    const dir = mkdtempSync(join(tmpdir(), 'convene-prometheus-'));
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, configFor(targets));
    const check = spawnSync('/usr/bin/promtool', ['check', 'config', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`promtool check config failed:\n${check.stdout}${check.stderr}`);
    const port = await freePort();
    const child = spawn(
      'setpriv',
      [
        ...['--pdeathsig', 'KILL', '--', PROMETHEUS, `--config.file=${file}`],
        ...[`--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const logs: string[] = [];
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    const p = new Prometheus(dir, child, `http://127.0.0.1:${port}`, logs);
    await waitUntil(
      'prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited:\n${logs.join('').slice(-2000)}`);
        return fetch(`${p.url}/-/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      30_000,
      100,
    );
    return p;
  }

  async #api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  }

  /** An instant query's samples. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.#api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
      `query?query=${encodeURIComponent(expr)}`,
    );
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The one value of a query that must have exactly one sample. */
  async value(expr: string): Promise<number> {
    const samples = await this.query(expr);
    if (samples.length !== 1) throw new Error(`${expr}: ${samples.length} samples, expected 1`);
    return samples[0]!.value;
  }

  /** Every metric name Prometheus has stored (what the targets actually exported). */
  names(): Promise<string[]> {
    return this.#api<string[]>('label/__name__/values');
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
