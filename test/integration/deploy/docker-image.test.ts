// The container pieces without a container engine (none runs here): the compose files as `docker compose config`
// (or docker-compose 1.29) resolves them, the Dockerfile's workspace list, and the image's entry script and health
// check run on this host against a real Prosody, focus and bridge.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, type Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../../harness/prosody.js';
import { waitUntil } from '../../harness/wait-for.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOCKER = join(ROOT, 'deploy', 'docker');

/** `docker compose` when the plugin is there, else Debian's docker-compose (1.29); undefined: neither. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}
const compose = composeCommand();
const withCompose = compose === undefined ? describe.skip : describe;
if (compose === undefined) console.warn('skipped: neither `docker compose` nor docker-compose is installed');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convene-docker-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(files: string[], env: string): { status: number | null; out: string; err: string } {
  const envFile = join(dir, 'env');
  writeFileSync(envFile, env);
  const [cmd, ...pre] = compose ?? [];
  const args = [...pre, '--project-directory', DOCKER, '--env-file', envFile, ...files.flatMap((f) => ['-f', f])];
  const r = spawnSync(cmd ?? 'false', [...args, 'config'], { encoding: 'utf8', cwd: DOCKER });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

interface Service {
  image: string;
  command?: string[];
  ports?: Array<string | { target: number; published?: number | string; protocol?: string }>;
  environment: Record<string, string>;
}

withCompose('deploy/docker compose files', () => {
  it('the Convene stack resolves, publishing only web, media and TURN', () => {
    const env = readFileSync(join(DOCKER, 'env.example'), 'utf8').replace(/^(\w+_PASSWORD|TURN_SECRET)=$/gm, '$1=x');
    const r = config([join(DOCKER, 'docker-compose.yml')], env);
    expect(r.err).not.toMatch(/error|invalid/i);
    expect(r.status).toBe(0);
    const services = (parse(r.out) as { services: Record<string, Service> }).services;
    expect(Object.keys(services).sort()).toEqual(['bridge', 'coturn', 'focus', 'prosody', 'web', 'web-files']);
    expect(services.focus?.command).toEqual(['focus']);
    expect(services.bridge?.command).toEqual(['bridge']);
    const published = (s: Service | undefined) =>
      (s?.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}/${p.protocol ?? 'tcp'}`));
    expect(published(services.bridge).join()).toMatch(/10000:10000\/udp/);
    expect(published(services.bridge).join()).not.toMatch(/8080|9090/);
    expect(published(services.focus)).toEqual([]);
    expect(services.bridge?.environment.CONVENE_BRIDGE_ADVERTISED_ADDRESSES).toBe('203.0.113.10');
    expect(services.prosody?.environment.TURN_CREDENTIALS).toBe('x');
  });

  it('refuses to resolve without the secrets, naming the first one missing', () => {
    const r = config([join(DOCKER, 'docker-compose.yml')], 'PUBLIC_DOMAIN=meet.example.com\nPUBLIC_IP=203.0.113.10\n');
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/_PASSWORD|TURN_SECRET/);
  });

  it('the override swaps Jicofo and JVB of a docker-jitsi-meet setup, keeping its ports and network', () => {
    // The parts of docker-jitsi-meet's docker-compose.yml the override meets (service names, ports, network).
    const base = join(dir, 'docker-compose.yml');
    writeFileSync(
      base,
      `services:
  prosody: { image: jitsi/prosody:stable, networks: { meet.jitsi: { aliases: [xmpp.meet.jitsi] } } }
  jicofo:
    image: jitsi/jicofo:stable
    ports: ['127.0.0.1:8888:8888']
    environment: [JICOFO_AUTH_PASSWORD, XMPP_DOMAIN]
    networks: { meet.jitsi: {} }
  jvb:
    image: jitsi/jvb:stable
    ports: ['10000:10000/udp', '127.0.0.1:8080:8080']
    environment: [JVB_AUTH_PASSWORD, JVB_ADVERTISE_IPS]
    networks: { meet.jitsi: {} }
networks: { meet.jitsi: {} }
`,
    );
    const env =
      'XMPP_DOMAIN=meet.jitsi\nJICOFO_AUTH_PASSWORD=f1\nJVB_AUTH_PASSWORD=b1\nJVB_ADVERTISE_IPS=198.51.100.7\nPUBLIC_URL=https://meet.example.com\n' +
      'ENABLE_AUTH=1\nENABLE_GUESTS=1\nXMPP_GUEST_DOMAIN=guest.meet.jitsi\n';
    const r = config([base, join(DOCKER, 'jitsi-override.yml')], env);
    expect(r.err).not.toMatch(/error|invalid/i);
    expect(r.status).toBe(0);
    const services = (parse(r.out) as { services: Record<string, Service> }).services;
    expect(services.jicofo).toMatchObject({ image: 'convene:latest', command: ['focus'] });
    expect(services.jvb).toMatchObject({ image: 'convene:latest', command: ['bridge'] });
    expect(services.jicofo?.environment).toMatchObject({
      CONVENE_FOCUS_XMPP_PASSWORD: 'f1',
      CONVENE_FOCUS_BREWERY_ROOM: 'jvbbrewery@internal-muc.meet.jitsi',
      // A secure-domain setup (.env ENABLE_AUTH) reaches the focus's entry script, which keeps it secure.
      JITSI_ENABLE_AUTH: '1',
      JITSI_ENABLE_GUESTS: '1',
      JITSI_GUEST_DOMAIN: 'guest.meet.jitsi',
    });
    expect(services.jvb?.environment).toMatchObject({
      CONVENE_BRIDGE_XMPP_PASSWORD: 'b1',
      CONVENE_BRIDGE_ADVERTISED_ADDRESSES: '198.51.100.7',
      CONVENE_BRIDGE_WEBSOCKET_BASE_URL: 'https://meet.example.com',
      CONVENE_BRIDGE_SERVER_ID: 'jvb',
    });
    expect(JSON.stringify(services.jvb?.ports)).toContain('10000');
  });
});

describe('Dockerfile', () => {
  it('copies every workspace package.json before npm ci, so the dependency layer installs them all', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (\S+)\/package\.json /gm)].map((m) => m[1]);
    const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
      .workspaces;
    expect(copied.sort()).toEqual([...workspaces].sort());
    expect(dockerfile).toMatch(/^USER (?!root)\S+/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });
});

describe('the image entry script and health check, outside a container', () => {
  let prosody: Prosody;
  beforeAll(async () => {
    prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'pw' }] });
  });
  afterAll(async () => prosody?.close());

  const entry = (args: string[], env: Record<string, string>) =>
    spawn('setpriv', ['--pdeathsig', 'KILL', '--', join(DOCKER, 'entrypoint.sh'), ...args], {
      // eslint-disable-next-line no-restricted-properties -- the child needs PATH to find node
      env: { PATH: process.env.PATH ?? '', CONVENE_HOME: ROOT, ...env },
      stdio: 'ignore',
    });
  const healthcheck = (pid: number, env: Record<string, string>) =>
    spawnSync(process.execPath, [join(DOCKER, 'healthcheck.mjs'), '--pid', String(pid)], {
      encoding: 'utf8',
      env,
    });

  const envFor = (role: 'bridge' | 'focus', port: number): Record<string, string> =>
    role === 'bridge'
      ? {
          CONVENE_BRIDGE_XMPP_HOST: '127.0.0.1',
          CONVENE_BRIDGE_XMPP_PORT: String(prosody.ports.c2s),
          CONVENE_BRIDGE_XMPP_PASSWORD: 'pw',
          CONVENE_BRIDGE_HTTP_PORT: String(port),
          CONVENE_BRIDGE_PUBLIC_HTTP_PORT: '0',
          CONVENE_BRIDGE_MEDIA_PORT: '0',
          CONVENE_BRIDGE_MEDIA_BIND_ADDRESS: '127.0.0.1',
          CONVENE_BRIDGE_PRESENCE_INTERVAL_MS: '1000',
        }
      : {
          CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
          CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
          CONVENE_FOCUS_HTTP_PORT: String(port),
        };
  const portVar = { bridge: 'CONVENE_BRIDGE_HTTP_PORT', focus: 'CONVENE_FOCUS_HTTP_PORT' } as const;

  it('`bridge` and `focus` run the program in place of the script; healthcheck follows each', async () => {
    const started: Array<ReturnType<typeof entry>> = [];
    const ports = { bridge: 0, focus: 0 };
    try {
      // The bridge first: the focus is healthy (as Jicofo) only with a bridge in the brewery.
      for (const role of ['bridge', 'focus'] as const) {
        const port = (ports[role] = await freePort());
        const child = entry([role], envFor(role, port));
        started.push(child);
        const pid = child.pid ?? 0;
        const ok = await waitUntil(
          `${role} healthy through the health check`,
          () => {
            const r = healthcheck(pid, { [portVar[role]]: String(port) });
            return r.status === 0 ? r.stdout : undefined;
          },
          45_000,
          250,
        );
        expect(ok.trim()).toBe(`healthy: ${role}`);
        // The script exec'd node (signals reach the program), and the check looks at the right port.
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(`${role}/src/main.ts`);
        expect(healthcheck(pid, { [portVar[role]]: String(await freePort()) }).status).toBe(1);
      }
      // The bridge gone, the focus reports unhealthy (no bridge), and a dead process is unhealthy.
      const [bridge, focus] = started;
      bridge?.kill('SIGTERM');
      await new Promise((r) => bridge?.once('exit', r));
      const after = healthcheck(bridge?.pid ?? 0, { [portVar.bridge]: '1' });
      expect(after.status).toBe(1);
      expect(after.stdout).toMatch(/^unhealthy: /);
      await waitUntil(
        'the focus to report no bridge',
        () => healthcheck(focus?.pid ?? 0, { [portVar.focus]: String(ports.focus) }).status === 1,
        15_000,
        250,
      );
    } finally {
      for (const c of started) {
        if (c.exitCode === null && c.signalCode === null) {
          c.kill('SIGTERM');
          await new Promise((r) => c.once('exit', r));
        }
      }
    }
  }, 90_000);

  it("`focus` turns docker-jitsi-meet's ENABLE_AUTH/ENABLE_GUESTS into the focus's secure domain", () => {
    // A stand-in program where the script execs the focus: it prints the focus settings it was given.
    const home = mkdtempSync(join(tmpdir(), 'convene-entry-'));
    try {
      mkdirSync(join(home, 'focus', 'src'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(home, 'node_modules'));
      writeFileSync(
        join(home, 'focus', 'src', 'main.ts'),
        "console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CONVENE_FOCUS_')))));",
      );
      const run = (env: Record<string, string>) => {
        const r = spawnSync(join(DOCKER, 'entrypoint.sh'), ['focus'], {
          encoding: 'utf8',
          // eslint-disable-next-line no-restricted-properties -- the child needs PATH to find node
          env: { PATH: process.env.PATH ?? '', CONVENE_HOME: home, ...env },
        });
        expect(r.status).toBe(0);
        return { focus: JSON.parse(r.stdout) as Record<string, string>, stderr: r.stderr };
      };
      expect(run({}).focus).toEqual({});
      expect(run({ JITSI_ENABLE_AUTH: '0', JITSI_ENABLE_GUESTS: '1' }).focus).toEqual({});
      expect(run({ JITSI_ENABLE_AUTH: '1' }).focus).toEqual({ CONVENE_FOCUS_AUTHENTICATION: 'xmpp' });
      expect(
        run({ JITSI_ENABLE_AUTH: 'true', JITSI_ENABLE_GUESTS: '1', JITSI_GUEST_DOMAIN: 'guest.meet.example' }).focus,
      ).toEqual({ CONVENE_FOCUS_AUTHENTICATION: 'xmpp', CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'guest.meet.example' });
      // Explicit focus settings win.
      expect(
        run({ JITSI_ENABLE_AUTH: '1', JITSI_ENABLE_GUESTS: '1', CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'visitors.example' })
          .focus,
      ).toEqual({ CONVENE_FOCUS_AUTHENTICATION: 'xmpp', CONVENE_FOCUS_ANONYMOUS_DOMAINS: 'visitors.example' });
      expect(run({ JITSI_ENABLE_AUTH: '1', JITSI_AUTH_TYPE: 'jwt' }).stderr).toContain('AUTH_TYPE=jwt');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('an unknown command prints the usage and exits 64', () => {
    const r = spawnSync(join(DOCKER, 'entrypoint.sh'), ['jicofo'], { encoding: 'utf8', env: { CONVENE_HOME: ROOT } });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('usage: convene focus|bridge');
  });
});
