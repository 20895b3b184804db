import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ProsodyError } from './errors.js';
import { freePort, portIsFree } from './free-port.js';
import type { ProsodyBinaries } from './install.js';
import { parseLogLine } from './log-line.js';
import { accepts, delay, forEachLine, hostForUrl } from './process-util.js';
import {
  buildProsodyConfig,
  xmppLayout,
  type ExtraComponent,
  type TurnService,
  type XmppLayout,
} from './prosody-config.js';
import { makeRunDir, sweepStaleRunDirs } from './run-dir.js';

import type { Account, XmppServer, XmppServerPorts } from './xmpp-server.js';

export type { Account };

export interface ProsodyOptions {
  binaries: ProsodyBinaries;
  domain?: string;
  bindAddress?: string;
  /** Ports left out are picked free by the kernel, so test runs can overlap. */
  c2sPort?: number;
  componentPort?: number;
  httpPort?: number;
  focusSecret?: string;
  accounts?: readonly Account[];
  /** A directory to keep (config, accounts) across runs; without it a temporary one is made and removed on close. */
  dataDir?: string;
  /** Bare JIDs of bridge accounts (brewery owners); defaults to `jvb@auth.<domain>`. */
  bridgeJids?: readonly string[];
  /** More owners of every room (e.g. `focus@auth.<domain>`, a focus in client mode). */
  extraAdmins?: readonly string[];
  /** PLAIN over unencrypted c2s: on by default on a loopback bindAddress only, never elsewhere; false: off. */
  allowPlainAuth?: boolean;
  /** At most this many occupants per conference room, the focus not counted (mod_convene_max_occupants). */
  maxOccupants?: number;
  /** A TURN server whose credentials Prosody hands out (XEP-0215); see `Coturn`. */
  turn?: TurnService;
  /** Secure domain: password logins on `domain`, anonymous guests on this domain (prosody-config.ts). */
  guestDomain?: string;
  /** More external components (prosody-config.ts). */
  extraComponents?: readonly ExtraComponent[];
  log?: Logger;
  readyTimeoutMs?: number;
}

export type ProsodyPorts = XmppServerPorts;

const PROSODY_USER = 'prosody';
/** Convene's own Prosody modules (Lua), shipped in this package. */
const PLUGIN_SOURCE = join(import.meta.dirname, '..', 'prosody-plugins');
const live = new Set<Prosody>();
let exitHookInstalled = false;

/** A running Prosody, child of this process; dies with it (PR_SET_PDEATHSIG) and leaves nothing behind on close(). */
export class Prosody implements XmppServer {
  readonly kind = 'prosody' as const;
  readonly layout: XmppLayout;
  readonly ports: ProsodyPorts;
  readonly bindAddress: string;
  readonly focusSecret: string;
  /** Where config, pid file and data live. */
  readonly dir: string;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  readonly #binaries: ProsodyBinaries;
  readonly #configFile: string;
  readonly #temporary: boolean;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  private constructor(init: {
    child: ChildProcess;
    exited: Promise<number | null>;
    layout: XmppLayout;
    ports: ProsodyPorts;
    bindAddress: string;
    focusSecret: string;
    dir: string;
    configFile: string;
    temporary: boolean;
    binaries: ProsodyBinaries;
    log: Logger;
  }) {
    this.#child = init.child;
    this.exited = init.exited;
    this.layout = init.layout;
    this.ports = init.ports;
    this.bindAddress = init.bindAddress;
    this.focusSecret = init.focusSecret;
    this.dir = init.dir;
    this.#configFile = init.configFile;
    this.#temporary = init.temporary;
    this.#binaries = init.binaries;
    this.#log = init.log;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** XMPP over WebSocket, as browsers use it. */
  get websocketUrl(): string {
    return `ws://${hostForUrl(this.bindAddress)}:${this.ports.http}/xmpp-websocket`;
  }

  get boshUrl(): string {
    return `http://${hostForUrl(this.bindAddress)}:${this.ports.http}/http-bind`;
  }

  /** Starts Prosody and resolves once its c2s, component and HTTP ports accept connections. */
  static async start(options: ProsodyOptions): Promise<Prosody> {
    sweepStaleRunDirs();
    const fixedPorts =
      options.c2sPort !== undefined && options.componentPort !== undefined && options.httpPort !== undefined;
    // Free ports can be taken between our probe and Prosody's bind: pick again a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        return await Prosody.#startOnce(options);
      } catch (err) {
        if (fixedPorts || attempt >= 3 || !(err instanceof ProsodyError) || err.code !== 'prosody-port-in-use')
          throw err;
      }
    }
  }

  static async #startOnce(options: ProsodyOptions): Promise<Prosody> {
    const log = options.log ?? pino({ enabled: false });
    const bindAddress = options.bindAddress ?? '127.0.0.1';
    const layout = xmppLayout(options.domain ?? 'meet.localhost');
    const ports: ProsodyPorts = {
      c2s: options.c2sPort ?? (await freePort(bindAddress)),
      component: options.componentPort ?? (await freePort(bindAddress)),
      http: options.httpPort ?? (await freePort(bindAddress)),
    };
    // A port the caller fixed and someone else holds fails here, before Prosody starts: a listener already on it
    // would otherwise answer our readiness probe while Prosody's own bind error is still in its log pipe.
    for (const [name, port] of [
      ['c2s', options.c2sPort],
      ['component', options.componentPort],
      ['http', options.httpPort],
    ] as const) {
      if (port !== undefined && !(await portIsFree(bindAddress, port)))
        throw new ProsodyError('prosody-port-in-use', `${name} port ${bindAddress}:${port} is already in use`);
    }
    const focusSecret = options.focusSecret ?? randomBytes(18).toString('base64url');
    const temporary = options.dataDir === undefined;
    const dir = options.dataDir ?? makeRunDir();
    const dataDir = join(dir, 'data');
    const configFile = join(dir, 'prosody.cfg.lua');
    const pidFile = join(dir, 'prosody.pid');
    mkdirSync(join(dir, 'certs'), { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    // Our own modules go beside the config: the prosody user may not be able to read the checkout.
    const pluginDir = join(dir, 'plugins');
    cpSync(PLUGIN_SOURCE, pluginDir, { recursive: true });
    writeFileSync(
      configFile,
      buildProsodyConfig({
        domain: layout.domain,
        bindAddress,
        c2sPort: ports.c2s,
        componentPort: ports.component,
        httpPort: ports.http,
        focusSecret,
        dataDir,
        pidFile,
        focusJid: layout.focusJid,
        extraAdmins: options.extraAdmins ?? [],
        bridgeJids: options.bridgeJids ?? [`jvb@${layout.authDomain}`],
        certificates: join(dir, 'certs'),
        pluginDir,
        ...(options.maxOccupants !== undefined ? { maxOccupants: options.maxOccupants } : {}),
        ...(options.allowPlainAuth !== undefined ? { allowPlainAuth: options.allowPlainAuth } : {}),
        ...(options.turn !== undefined ? { turn: options.turn } : {}),
        ...(options.guestDomain !== undefined ? { guestDomain: options.guestDomain } : {}),
        ...(options.extraComponents !== undefined ? { extraComponents: options.extraComponents } : {}),
      }),
      { mode: 0o640 },
    );
    // `mode` applies only when the file is created: a kept dataDir keeps whatever mode its config had. It holds
    // the component secret: owner and Prosody's group only, every start.
    chmodSync(configFile, 0o640);
    handOver(dir, [dataDir, join(dir, 'certs'), configFile, pluginDir]);

    let child: ChildProcess;
    try {
      for (const a of options.accounts ?? []) register(options.binaries, configFile, a);
      child = spawn('setpriv', [...privilegeArgs(), '--', options.binaries.prosody, '--config', configFile, '-F'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group: a terminal's Ctrl-C reaches us, and we stop Prosody in order.
        detached: true,
      });
    } catch (err) {
      if (temporary) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const recent: string[] = [];
    let portInUse = false;
    const onLine = (line: string) => {
      const entry = parseLogLine(line);
      if (entry === undefined) return;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (/Failed to open server port|Address already in use/i.test(entry.message)) portInUse = true;
      // Prosody's own info lines are its internals; ours say when it is ready.
      log[entry.level === 'info' ? 'debug' : entry.level]({ source: entry.source }, entry.message);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (err) => {
        log.error({ err }, 'prosody failed to spawn');
        resolve(null);
      });
    });
    const prosody = new Prosody({
      child,
      exited,
      layout,
      ports,
      bindAddress,
      focusSecret,
      dir,
      configFile,
      temporary,
      binaries: options.binaries,
      log,
    });
    live.add(prosody);
    installExitHook();

    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
    });
    for (const port of [ports.c2s, ports.component, ports.http]) {
      while (!(await accepts(bindAddress, port))) {
        if (portInUse || exitedEarly || Date.now() > deadline) {
          await prosody.close();
          const tail = recent.slice(-8).join('\n');
          if (portInUse)
            throw new ProsodyError('prosody-port-in-use', `a port was taken before Prosody bound it\n${tail}`);
          const why = exitedEarly ? 'exited during startup' : 'did not open its ports in time';
          throw new ProsodyError('prosody-start-failed', `prosody ${why}\n${tail}`);
        }
        await delay(15);
      }
    }
    if (portInUse) {
      await prosody.close();
      throw new ProsodyError('prosody-port-in-use', 'a port was taken before Prosody bound it');
    }
    log.info({ ports, domain: layout.domain, prosodyPid: child.pid }, 'prosody ready');
    return prosody;
  }

  /** Adds or replaces a password account; Prosody reads accounts from disk on each login, so this works while running. */
  register(account: Account): void {
    register(this.#binaries, this.#configFile, account);
  }

  /** Stops Prosody (SIGTERM, SIGKILL after 5 s) and removes a temporary directory. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#child.exitCode === null && this.#child.signalCode === null) {
        this.#child.kill('SIGTERM');
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
        await this.exited;
        clearTimeout(timer);
      }
      if (this.#temporary) rmSync(this.dir, { recursive: true, force: true });
      live.delete(this);
      this.#log.info('prosody stopped');
    })();
    return this.#closing;
  }

  /** Synchronous last-resort cleanup for process exit. */
  killNow(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    if (this.#temporary) rmSync(this.dir, { recursive: true, force: true });
  }
}

const asRoot = (): boolean => process.getuid?.() === 0;

/**
 * Prosody refuses to run as root, so root starts it as the `prosody` user. setpriv execs in place, so
 * Prosody stays our direct child and PR_SET_PDEATHSIG kills it if we die without closing it.
 */
function privilegeArgs(): string[] {
  const deathSignal = ['--pdeathsig', 'KILL'];
  return asRoot()
    ? [`--reuid=${PROSODY_USER}`, `--regid=${PROSODY_USER}`, '--init-groups', ...deathSignal]
    : deathSignal;
}

/** Gives the Prosody user what it needs under a root-made directory. */
function handOver(dir: string, paths: readonly string[]): void {
  chmodSync(dir, 0o755);
  if (!asRoot()) return;
  for (let up = dirname(dir); ; up = dirname(up)) {
    if ((statSync(up).mode & 0o001) === 0) {
      throw new ProsodyError(
        'prosody-dir-inaccessible',
        `${up} is not searchable by the prosody user: put dataDir elsewhere`,
      );
    }
    if (up === dirname(up)) break;
  }
  const r = spawnSync('id', ['-u', PROSODY_USER], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', PROSODY_USER], { encoding: 'utf8' });
  const uid = Number.parseInt(r.stdout, 10);
  const gid = Number.parseInt(g.stdout, 10);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new ProsodyError(
      'prosody-user-missing',
      `user '${PROSODY_USER}' does not exist; reinstall the prosody package`,
    );
  }
  chownSync(dir, uid, gid);
  for (const p of paths) chownSync(p, uid, gid);
}

function register(binaries: ProsodyBinaries, configFile: string, a: Account): void {
  // prosodyctl asks twice for the password when it is not on the command line: it goes through stdin, never argv,
  // where `ps` and /proc/<pid>/cmdline show it to every local user.
  if (/[\r\n]/.test(a.password) || a.password === '')
    throw new ProsodyError('prosody-register-failed', `could not register ${a.user}@${a.host}: bad password`);
  // prosodyctl switches to the prosody user itself when run as root.
  const r = spawnSync(binaries.prosodyctl, ['--config', configFile, 'register', a.user, a.host], {
    encoding: 'utf8',
    input: `${a.password}\n${a.password}\n`,
    timeout: 15_000,
  });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' ');
    throw new ProsodyError('prosody-register-failed', `could not register ${a.user}@${a.host}: ${out}`);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) p.killNow();
  });
}
