// Debian's nginx run from deploy/nginx on loopback (HTTP) with a private prefix, in front of a test stack.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './wait-for.js';

export const NGINX = '/usr/sbin/nginx';
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy', 'nginx');

export interface Upstreams {
  prosody: string;
  bridge: string;
  focus: string;
}

/** deploy/nginx/convene/upstreams.conf with its three addresses replaced by the test stack's (`host:port`). */
export function upstreamsFor(u: Upstreams): string {
  const text = readFileSync(join(DEPLOY, 'convene', 'upstreams.conf'), 'utf8');
  const out = text
    .replace('server 127.0.0.1:5280;', `server ${u.prosody};`)
    .replace('server 127.0.0.1:9090;', `server ${u.bridge};`)
    .replace('server 127.0.0.1:8888;', `server ${u.focus};`);
  if ((out.match(/server /g) ?? []).length !== 3 || out.includes(':5280;') || out.includes(':9090;'))
    throw new Error('deploy/nginx/convene/upstreams.conf no longer has the expected default addresses');
  return out;
}

/** The main-context lines every test config needs: a private prefix for pid, logs and temp files. */
function mainContext(prefix: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${join(prefix, 'tmp', t)};`)
    .join('\n');
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
${temp}
`;
}

export function makePrefix(): string {
  const prefix = mkdtempSync(join(tmpdir(), 'convene-nginx-'));
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'tmp'));
  return prefix;
}

/** `nginx -t` on a config file: its exit status and what it printed. */
export function nginxTest(prefix: string, conf: string): { status: number | null; output: string } {
  const r = spawnSync(NGINX, ['-t', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * The production site file (deploy/nginx/convene.conf) as /etc/nginx would include it, its includes pointed at the
 * repository's files and its certificate at a fresh self-signed one: what `nginx -t` checks.
 */
export function productionConfig(prefix: string): string {
  const cert = join(prefix, 'cert.pem');
  const key = join(prefix, 'key.pem');
  const r = spawnSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
    ...['-subj', '/CN=meet.example.com', '-keyout', key, '-out', cert],
  ]);
  if (r.status !== 0) throw new Error(`openssl failed: ${String(r.stderr)}`);
  const site = readFileSync(join(DEPLOY, 'convene.conf'), 'utf8')
    .replaceAll('/etc/nginx/convene/', `${join(DEPLOY, 'convene')}/`)
    .replace(/ssl_certificate \S+;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`);
  const conf = join(prefix, 'production.conf');
  writeFileSync(conf, `${mainContext(prefix)}\n${site}\n}\n`);
  return conf;
}

/** A running nginx serving `webRoot` on 127.0.0.1:`port` with deploy/nginx's locations, stopped by close(). */
export class Nginx {
  private constructor(
    readonly prefix: string,
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(o: { port: number; webRoot: string; upstreams: Upstreams }): Promise<Nginx> {
    if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: sudo apt-get install -y nginx`);
    const prefix = makePrefix();
    writeFileSync(join(prefix, 'upstreams.conf'), upstreamsFor(o.upstreams));
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(
      conf,
      `${mainContext(prefix)}
    include ${join(prefix, 'upstreams.conf')};
    server {
        listen 127.0.0.1:${o.port};
        root ${o.webRoot};
        index index.html;
        include ${join(DEPLOY, 'convene', 'locations.conf')};
    }
}
`,
    );
    const checked = nginxTest(prefix, conf);
    if (checked.status !== 0) throw new Error(`nginx -t failed:\n${checked.output}`);
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', '--', NGINX, '-p', prefix, '-c', conf, '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    );
    const nginx = new Nginx(prefix, child, `http://127.0.0.1:${o.port}/`);
    await waitUntil(
      'nginx to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${nginx.errorLog()}`);
        return fetch(nginx.url).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      10_000,
      50,
    ).catch(async (err: unknown) => {
      const log = nginx.errorLog();
      await nginx.close();
      throw new Error(`${String(err)}\n${log}`);
    });
    return nginx;
  }

  errorLog(): string {
    try {
      return readFileSync(join(this.prefix, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      // SIGQUIT: graceful; the master stops its worker (PR_SET_PDEATHSIG covers only the master).
      this.child.kill('SIGQUIT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }
}
