import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xml } from '@xmpp/client';
import { freePort } from '@convene/xmpp-server';
import { waitUntil } from '../../harness/wait-for.js';
import { connectClient } from '../../harness/xmpp-peer.js';

/** A loopback address other than 127.0.0.1, standing for a public one. */
const BIND = '127.0.0.2';

let dir: string;
/** Stacks a test started: one that failed or timed out half way is killed (its services die with it: pdeathsig). */
const started: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convene-stack-test-'));
});
afterEach(async () => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exitOf(child);
    }
  rmSync(dir, { recursive: true, force: true });
});

function startStack(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'deploy/local/src/main.ts', ...args], {
    // eslint-disable-next-line no-restricted-properties -- pass PATH through to find prosody
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

/** The JSON log lines of the stack, parsed. */
function entries(out: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The pid of the process listening on TCP `port` of loopback, from the kernel's table (ss). */
function listenerPid(port: number): number | undefined {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m === null ? undefined : Number(m[1]);
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Free ports for one stack: c2s and component go in its config file, the others in its environment (`env`). */
async function stackPorts() {
  const [c2s, component, http, focusHttp, web, bridgeHttp, bridgePublic, media] = (await Promise.all(
    Array.from({ length: 8 }, () => freePort()),
  )) as [number, number, number, number, number, number, number, number];
  const env = {
    CONVENE_STACK_XMPP_HTTP_PORT: String(http),
    CONVENE_STACK_FOCUS_HTTP_PORT: String(focusHttp),
    CONVENE_STACK_WEB_PORT: String(web),
    CONVENE_STACK_BRIDGE_HTTP_PORT: String(bridgeHttp),
    CONVENE_STACK_BRIDGE_PUBLIC_HTTP_PORT: String(bridgePublic),
    CONVENE_STACK_BRIDGE_MEDIA_PORT: String(media),
  };
  return { c2s, component, http, focusHttp, web, bridgeHttp, bridgePublic, env };
}

describe('npm start (local stack)', () => {
  it('starts Prosody (and coturn with --turn) from its config, serves XMPP over WebSocket, stops on SIGINT', async () => {
    const { c2s, component, http, focusHttp, web, bridgeHttp, bridgePublic, env } = await stackPorts();
    const turn = await freePort();
    const config = join(dir, 'convene.yaml');
    writeFileSync(config, `focusSecret: s1\nbridgePassword: s2\nc2sPort: ${c2s}\ncomponentPort: ${component}\n`);
    // Another address than the admin servers' loopback: what people reach binds there, the admin servers do not.
    const args = [
      '--config',
      config,
      '--log-format',
      'json',
      '--bind-address',
      BIND,
      '--turn',
      '--turn-port',
      `${turn}`,
    ];
    const stack = startStack(args, env);
    const running = await waitUntil(
      'the stack to say it is running',
      () => {
        const line = stack
          .out()
          .split('\n')
          .find((l) => l.includes('convene stack is running'));
        return line === undefined ? undefined : (JSON.parse(line) as Record<string, string>);
      },
      20_000,
    );
    expect(running['XMPP WebSocket']).toBe(`ws://${BIND}:${http}/xmpp-websocket`);

    // The focus and the bridge run, their admin servers on loopback only, and the page a person opens is served.
    expect(running['Focus HTTP']).toBe(`http://127.0.0.1:${focusHttp}/about/health`);
    expect((await fetch(running['Focus HTTP']!)).status).toBe(200);
    expect(running['Bridge HTTP']).toBe(`http://127.0.0.1:${bridgeHttp}/about/health`);
    expect((await fetch(running['Bridge HTTP']!)).status).toBe(200);
    for (const port of [focusHttp, bridgeHttp, bridgePublic])
      await expect(fetch(`http://${BIND}:${port}/about/health`)).rejects.toThrow();
    expect(running['Open in a browser']).toBe(`http://${BIND}:${web}/`);
    const page = await fetch(running['Open in a browser']!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    const guest = await connectClient({ service: running['XMPP WebSocket']!, domain: 'meet.localhost' });
    expect(guest.jid).toMatch(/@meet\.localhost\//);
    // --turn: coturn runs on the bind address and Prosody hands out its credentials (XEP-0215), as lib-jitsi-meet asks.
    expect(running.TURN).toBe(`turn:${BIND}:${turn}`);
    const services = await guest.request(
      xml('iq', { type: 'get', to: 'meet.localhost' }, xml('services', { xmlns: 'urn:xmpp:extdisco:2' })),
    );
    const turnServices = services
      .getChild('services')
      ?.getChildren('service')
      .filter((e) => e.attrs.type === 'turn');
    expect(turnServices?.map((e) => `${e.attrs.host}:${e.attrs.port}/${e.attrs.transport}`)).toEqual([
      `${BIND}:${turn}/udp`,
      `${BIND}:${turn}/tcp`,
    ]);
    expect(Number(turnServices?.[0]?.attrs.username)).toBeGreaterThan(Date.now() / 1000);
    expect(turnServices?.[0]?.attrs.password).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    await guest.close();
    const coturnPid = listenerPid(Number(turn));
    expect(coturnPid).toBeDefined();

    const prosodyPid = (
      JSON.parse(
        stack
          .out()
          .split('\n')
          .find((l) => l.includes('prosody ready'))!,
      ) as { prosodyPid: number }
    ).prosodyPid;
    stack.child.kill('SIGINT');
    expect(await exitOf(stack.child)).toBe(0);
    expect(() => process.kill(prosodyPid, 0)).toThrow();
    expect(() => process.kill(Number(coturnPid), 0)).toThrow();
    expect(stack.out()).toContain('"msg":"stopped"');
    // Prosody ran in a private temporary directory, gone with it.
    expect(existsSync(running['Prosody config']!)).toBe(false);
  });

  it('restarts a bridge killed with SIGKILL, and the focus sees it operational again', async () => {
    const { c2s, component, focusHttp, bridgeHttp, env } = await stackPorts();
    const config = join(dir, 'convene.yaml');
    writeFileSync(config, `focusSecret: s1\nbridgePassword: s2\nc2sPort: ${c2s}\ncomponentPort: ${component}\n`);
    const stack = startStack(['--config', config, '--log-format', 'json'], env);
    await waitUntil('the stack to say it is running', () => stack.out().includes('convene stack is running'), 20_000);
    const focusHealth = `http://127.0.0.1:${focusHttp}/about/health`;
    const bridgeHealth = `http://127.0.0.1:${bridgeHttp}/about/health`;
    // The focus answers 503 until it has an operational bridge.
    await waitUntil('the focus to see the bridge', () => healthy(focusHealth), 15_000);
    const first = listenerPid(Number(bridgeHttp));
    expect(first).toBeDefined();
    const bridgeUps = () => entries(stack.out()).filter((e) => e.service === 'focus' && e.msg === 'bridge up');
    const upsBefore = bridgeUps().length;

    process.kill(first!, 'SIGKILL');
    const second = await waitUntil<number>(
      'a new bridge process on the bridge HTTP port',
      async () => {
        const pid = listenerPid(Number(bridgeHttp));
        return pid !== undefined && pid !== first && (await healthy(bridgeHealth)) ? pid : undefined;
      },
      20_000,
    );
    expect(second).not.toBe(first);
    // It rejoined the brewery: the focus logged it up again and is healthy with it.
    await waitUntil('the focus to see the new bridge up', () => bridgeUps().length > upsBefore, 15_000);
    await waitUntil('the focus to be healthy again', () => healthy(focusHealth), 15_000);
    const log = entries(stack.out()).filter((e) => e.service === 'bridge' && typeof e.msg === 'string');
    expect(log.map((e) => e.msg)).toEqual(
      expect.arrayContaining(['service exited unexpectedly', 'restarting service', 'service restarted']),
    );
    expect(log.find((e) => e.msg === 'restarting service')).toMatchObject({ delayMs: 1000, restart: 1, of: 5 });
    expect(log.find((e) => e.msg === 'service restarted')).toMatchObject({ childPid: second });

    stack.child.kill('SIGINT');
    expect(await exitOf(stack.child)).toBe(0);
    expect(() => process.kill(second, 0)).toThrow();
  });

  it('runs a secure domain with `users`: guests cannot start a meeting, a user can, and the page knows the guest domain', async () => {
    const { c2s, component, http, web, env } = await stackPorts();
    const config = join(dir, 'convene.yaml');
    writeFileSync(
      config,
      `focusSecret: s1\nbridgePassword: s2\nc2sPort: ${c2s}\ncomponentPort: ${component}\nusers: ['alice:pw a']\n`,
    );
    const stack = startStack(['--config', config, '--log-format', 'json'], env);
    await waitUntil('the stack to say it is running', () => stack.out().includes('convene stack is running'), 20_000);
    expect(stack.out()).not.toContain('pw a');
    const service = `ws://127.0.0.1:${http}/xmpp-websocket`;
    const ask = (peer: Awaited<ReturnType<typeof connectClient>>, room: string) =>
      peer.request(
        xml(
          'iq',
          { type: 'set', to: 'focus.meet.localhost' },
          xml('conference', {
            xmlns: 'http://jitsi.org/protocol/focus',
            room: `${room}@conference.meet.localhost`,
            'machine-uid': 'm1',
          }),
        ),
        10_000,
      );
    // The domain takes passwords only now; guests log in anonymously on guest.meet.localhost.
    await expect(connectClient({ service, domain: 'meet.localhost' })).rejects.toThrow();
    const guest = await connectClient({ service, domain: 'guest.meet.localhost' });
    await expect(ask(guest, 'daily')).rejects.toMatchObject({ condition: 'not-authorized' });
    const alice = await connectClient({ service, domain: 'meet.localhost', username: 'alice', password: 'pw a' });
    const reply = (await ask(alice, 'daily')).getChild('conference');
    expect(reply?.attrs).toMatchObject({ ready: 'true', identity: 'alice@meet.localhost' });
    expect((await ask(guest, 'daily')).getChild('conference')?.attrs.ready).toBe('true');
    const page = (await (await fetch(`http://127.0.0.1:${web}/config.json`)).json()) as Record<string, unknown>;
    expect(page.anonymousDomain).toBe('guest.meet.localhost');
    await Promise.all([guest.close(), alice.close()]);
    stack.child.kill('SIGINT');
    expect(await exitOf(stack.child)).toBe(0);
  });

  it.each([
    [['--c2s-port', 'x'], 'c2sPort: expected a port number 1..65535, got "x" (--c2s-port)'],
    [
      ['--xmpp-server', 'ejabberd', '--users', 'alice:pw'],
      'users: a secure domain needs Prosody, not ejabberd (--users)',
    ],
    [['--colour'], '--colour: unknown option (command line)'],
  ])('exits 2 with one line for %j', async (args, message) => {
    const config = join(dir, 'convene.yaml');
    writeFileSync(config, 'focusSecret: s1\nbridgePassword: s2\n');
    const stack = startStack(['--config', config, ...args]);
    expect(await exitOf(stack.child)).toBe(2);
    expect(stack.err().trim().split('\n')).toEqual([`convene-stack: invalid configuration: ${message}`]);
    expect(stack.out()).toBe('');
  });

  it('exits 2 naming the missing secret', async () => {
    const config = join(dir, 'convene.yaml');
    writeFileSync(config, 'focusSecret: s1\n');
    const stack = startStack([], { CONVENE_STACK_CONFIG: config });
    expect(await exitOf(stack.child)).toBe(2);
    expect(stack.err().trim()).toBe(
      'convene-stack: invalid configuration: bridgePassword: required: set it in the config file, CONVENE_STACK_BRIDGE_PASSWORD or --bridge-password',
    );
  });
});
