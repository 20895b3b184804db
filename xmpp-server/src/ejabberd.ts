import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { buildEjabberdConfig } from './ejabberd-config.js';
import type { EjabberdBinaries } from './ejabberd-install.js';
import { EjabberdError } from './errors.js';
import { freePort, portIsFree } from './free-port.js';
import { accepts, delay, forEachLine, hostForUrl } from './process-util.js';
import { xmppLayout, type XmppLayout } from './prosody-config.js';
import { EJABBERD_RUN_DIR_PREFIX, makeRunDir, sweepStaleRunDirs } from './run-dir.js';
import type { Account, XmppServer, XmppServerPorts } from './xmpp-server.js';

export interface EjabberdOptions {
  binaries: EjabberdBinaries;
  domain?: string;
  bindAddress?: string;
  /** Ports left out are picked free by the kernel. */
  c2sPort?: number;
  componentPort?: number;
  httpPort?: number;
  focusSecret?: string;
  accounts?: readonly Account[];
  /** Bare JIDs of bridge accounts (brewery owners); defaults to `jvb@auth.<domain>`. */
  bridgeJids?: readonly string[];
  allowPlainAuth?: boolean;
  /** mod_ping off on the auth host: pings there are answered `service-unavailable` (see EjabberdConfigParams). */
  withoutPingOnAuthHost?: boolean;
  log?: Logger;
  readyTimeoutMs?: number;
}

const EJABBERD_USER = 'ejabberd';
const live = new Set<Ejabberd>();
let exitHookInstalled = false;

/**
 * The accounts channel: ejabberd runs without Erlang distribution, so ejabberdctl cannot reach it, and a password
 * must never be on a command line. This Erlang reads `id user host password` lines (each base64) from our pipe to
 * its stdin, registers (or re-passwords) the account and answers on stdout; our pipe closing stops ejabberd.
 */
const ACCOUNTS_LOOP = [
  'spawn(fun() ->',
  '  P = open_port({fd, 0, 1}, [{line, 65536}, binary, eof]),',
  '  L = fun Loop() -> receive',
  '    {P, {data, {eol, Line}}} ->',
  '      case [base64:decode(X) || X <- binary:split(Line, <<" ">>, [global])] of',
  '        [Id, U, H, W] ->',
  '          R = case ejabberd_auth:try_register(U, H, W) of',
  '            {error, exists} -> ejabberd_auth:set_password(U, H, W); Other -> Other end,',
  '          io:format("convene-account ~s ~p~n", [Id, R]);',
  '        _ -> io:format("convene-account bad-line~n") end,',
  '      Loop();',
  '    {P, eof} -> init:stop() end end,',
  '  L() end).',
].join(' ');

/** A running ejabberd, child of this process; dies with it and leaves nothing behind on close(). */
export class Ejabberd implements XmppServer {
  readonly kind = 'ejabberd' as const;
  readonly layout: XmppLayout;
  readonly ports: XmppServerPorts;
  readonly bindAddress: string;
  readonly focusSecret: string;
  readonly dir: string;
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  readonly #log: Logger;
  readonly #pending = new Map<string, (result: string) => void>();
  #nextId = 0;
  #closing: Promise<void> | undefined;

  private constructor(init: {
    child: ChildProcess;
    exited: Promise<number | null>;
    layout: XmppLayout;
    ports: XmppServerPorts;
    bindAddress: string;
    focusSecret: string;
    dir: string;
    log: Logger;
  }) {
    this.#child = init.child;
    this.exited = init.exited;
    this.layout = init.layout;
    this.ports = init.ports;
    this.bindAddress = init.bindAddress;
    this.focusSecret = init.focusSecret;
    this.dir = init.dir;
    this.#log = init.log;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get websocketUrl(): string {
    return `ws://${hostForUrl(this.bindAddress)}:${this.ports.http}/xmpp-websocket`;
  }

  get boshUrl(): string {
    return `http://${hostForUrl(this.bindAddress)}:${this.ports.http}/http-bind`;
  }

  /** Starts ejabberd, registers the accounts, and resolves once its c2s, component and HTTP ports accept. */
  static async start(options: EjabberdOptions): Promise<Ejabberd> {
    sweepStaleRunDirs();
    const log = options.log ?? pino({ enabled: false });
    const bindAddress = options.bindAddress ?? '127.0.0.1';
    const layout = xmppLayout(options.domain ?? 'meet.localhost');
    const ports: XmppServerPorts = {
      c2s: options.c2sPort ?? (await freePort(bindAddress)),
      component: options.componentPort ?? (await freePort(bindAddress)),
      http: options.httpPort ?? (await freePort(bindAddress)),
    };
    // A fixed port someone else holds fails here: their listener would otherwise answer our readiness probe.
    for (const port of [options.c2sPort, options.componentPort, options.httpPort]) {
      if (port !== undefined && !(await portIsFree(bindAddress, port)))
        throw new EjabberdError('ejabberd-port-in-use', `port ${bindAddress}:${port} is already in use`);
    }
    const focusSecret = options.focusSecret ?? randomBytes(18).toString('base64url');
    const dir = makeRunDir(EJABBERD_RUN_DIR_PREFIX);
    const spool = join(dir, 'spool');
    const configFile = join(dir, 'ejabberd.yml');
    mkdirSync(spool);
    writeFileSync(
      configFile,
      buildEjabberdConfig({
        domain: layout.domain,
        bindAddress,
        c2sPort: ports.c2s,
        componentPort: ports.component,
        httpPort: ports.http,
        focusSecret,
        bridgeJids: options.bridgeJids ?? [`jvb@${layout.authDomain}`],
        ...(options.allowPlainAuth !== undefined ? { allowPlainAuth: options.allowPlainAuth } : {}),
        ...(options.withoutPingOnAuthHost === true ? { withoutPingOnAuthHost: true } : {}),
      }),
      { mode: 0o640 },
    );
    let child: ChildProcess;
    try {
      handOver(dir, [spool, configFile]);
      // Mnesia's path is an Erlang string: a quoted, escaped term.
      const mnesiaDir = JSON.stringify(spool);
      child = spawn(
        'setpriv',
        // The accounts loop goes after `-s ejabberd`: it starts once ejabberd has.
        [
          ...privilegeArgs(),
          '--',
          options.binaries.erl,
          '-noinput',
          '-mnesia',
          'dir',
          mnesiaDir,
          '-s',
          'ejabberd',
          '-eval',
          ACCOUNTS_LOOP,
        ],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
          cwd: dir,
          env: {
            PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
            HOME: dir,
            EJABBERD_CONFIG_PATH: configFile,
            EJABBERD_LOG_PATH: join(spool, 'ejabberd.log'),
            ERL_LIBS: options.binaries.erlLibs,
            ERL_CRASH_DUMP_BYTES: '0',
            // No distribution is started (no node name), so no epmd either; should one ever start, loopback only.
            ERL_EPMD_ADDRESS: '127.0.0.1',
          },
        },
      );
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const recent: string[] = [];
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (err) => {
        log.error({ err }, 'ejabberd failed to spawn');
        resolve(null);
      });
    });
    const server = new Ejabberd({ child, exited, layout, ports, bindAddress, focusSecret, dir, log });
    const onLine = (line: string) => {
      const account = /^convene-account (\S+) (.*)$/.exec(line);
      if (account !== null) {
        server.#pending.get(account[1] ?? '')?.(account[2] ?? '');
        server.#pending.delete(account[1] ?? '');
        return;
      }
      if (line.trim() === '') return;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      // mod_muc recommends mod_mam (message archive) at every start: rooms here keep no history on purpose.
      const level = ejabberdLevel(line);
      log[level]({ source: 'ejabberd' }, line);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    child.stdin?.on('error', () => undefined); // ejabberd gone: exited says so
    writeFileSync(join(dir, 'server.pid'), `${child.pid ?? ''}\n`);
    live.add(server);
    installExitHook();

    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
    });
    for (const port of [ports.c2s, ports.component, ports.http]) {
      while (!(await accepts(bindAddress, port))) {
        if (exitedEarly || Date.now() > deadline) {
          await server.close();
          const why = exitedEarly ? 'exited during startup' : 'did not open its ports in time';
          throw new EjabberdError('ejabberd-start-failed', `ejabberd ${why}\n${recent.slice(-8).join('\n')}`);
        }
        await delay(25);
      }
    }
    try {
      for (const a of options.accounts ?? []) await server.register(a);
    } catch (err) {
      await server.close();
      throw err;
    }
    log.info({ ports, domain: layout.domain, ejabberdPid: child.pid }, 'ejabberd ready');
    return server;
  }

  /** Adds or replaces a password account (through the accounts pipe; never on a command line). */
  register(a: Account): Promise<void> {
    if (/[\r\n]/.test(a.password) || a.password === '')
      return Promise.reject(new EjabberdError('ejabberd-register-failed', `${a.user}@${a.host}: bad password`));
    const id = String(++this.#nextId);
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new EjabberdError('ejabberd-register-failed', `${a.user}@${a.host}: no answer`));
      }, 15_000);
      this.#pending.set(id, (result) => {
        clearTimeout(timer);
        if (result === 'ok') resolve();
        else reject(new EjabberdError('ejabberd-register-failed', `${a.user}@${a.host}: ${result}`));
      });
      this.#child.stdin?.write(`${b64(id)} ${b64(a.user)} ${b64(a.host)} ${b64(a.password)}\n`);
    });
  }

  /** Stops ejabberd (its stdin closes: a clean stop; SIGKILL after 5 s) and removes its directory. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#child.exitCode === null && this.#child.signalCode === null) {
        this.#child.stdin?.end();
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
        await this.exited;
        clearTimeout(timer);
      }
      rmSync(this.dir, { recursive: true, force: true });
      live.delete(this);
      this.#log.info('ejabberd stopped');
    })();
    return this.#closing;
  }

  killNow(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The pino level of one of ejabberd's console lines (`<time> [level] <text>`). */
function ejabberdLevel(line: string): 'debug' | 'warn' | 'error' {
  // mod_muc recommends mod_mam (message archive) at every start: rooms here keep no history on purpose.
  if (/recommended for module/.test(line)) return 'debug';
  if (/\[(error|critical|alert|emergency)\]/.test(line)) return 'error';
  return /\[warning\]/.test(line) ? 'warn' : 'debug';
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** ejabberd runs as its own user when we are root; setpriv execs in place, so it stays our child and dies with us. */
function privilegeArgs(): string[] {
  const deathSignal = ['--pdeathsig', 'KILL'];
  return asRoot()
    ? [`--reuid=${EJABBERD_USER}`, `--regid=${EJABBERD_USER}`, '--init-groups', ...deathSignal]
    : deathSignal;
}

/** Gives the ejabberd user its run directory (config readable, spool writable). */
function handOver(dir: string, paths: readonly string[]): void {
  chmodSync(dir, 0o750);
  if (!asRoot()) return;
  const uid = Number.parseInt(spawnSync('id', ['-u', EJABBERD_USER], { encoding: 'utf8' }).stdout, 10);
  const gid = Number.parseInt(spawnSync('id', ['-g', EJABBERD_USER], { encoding: 'utf8' }).stdout, 10);
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new EjabberdError('ejabberd-user-missing', `user '${EJABBERD_USER}' does not exist; reinstall ejabberd`);
  chownSync(dir, uid, gid);
  for (const p of paths) chownSync(p, uid, gid);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of live) s.killNow();
  });
}
