import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  Coturn,
  Ejabberd,
  ensureEjabberd,
  ensureProsody,
  isLoopbackAddress,
  Prosody,
  type TurnService,
  type XmppServer,
} from '@convene/xmpp-server';
import { ChildService, type ChildServiceOptions } from './child-service.js';
import { SupervisedService } from './supervised-service.js';
import type { StackConfig } from './config/schema.js';

/** Where the admin servers and the proxied colibri-ws server listen, whatever `bindAddress` says. */
const LOOPBACK = '127.0.0.1';

/** One running piece of the stack; closed in reverse start order. */
export interface Service {
  name: string;
  close(): Promise<void>;
}

export interface RunningStack {
  /** The running XMPP server, Prosody or ejabberd (a new one after a restart). */
  readonly prosody: XmppServer;
  services: readonly Service[];
  /** Resolves with the name of a service that crashed more often than its restart policy allows. */
  failed: Promise<string>;
  /** What a person opens or points a client at. */
  urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts Prosody and every Convene process that exists so far. Each later piece (focus, bridge, web)
 * adds itself here, after Prosody, with its slice of the config.
 */
export async function startStack(config: StackConfig, log: Logger, pathVar: string): Promise<RunningStack> {
  const services: Service[] = [];
  let gaveUp: (name: string) => void = () => {};
  const failed = new Promise<string>((resolve) => (gaveUp = resolve));
  // Each process is restarted like systemd's Restart=on-failure (supervised-service.ts): 1 s doubling to 30 s,
  // at most 5 restarts in 60 s, then `failed` resolves and main.ts stops the stack.
  const supervise = <T extends ChildService | XmppServer>(name: string, start: () => Promise<T>) =>
    SupervisedService.start({ name, start, log, onGaveUp: gaveUp });
  const child = (o: Omit<ChildServiceOptions, 'pathVar' | 'log'>) =>
    supervise(o.name, () => ChildService.start({ ...o, pathVar, log }));
  // coturn first: Prosody's config carries its address and the secret they share (a fresh one each run).
  const coturn = !config.turn
    ? undefined
    : await Coturn.start({
        listeningIp: config.bindAddress,
        port: config.turnPort,
        realm: config.domain,
        // The bridge listens on loopback here; a stack on a real address keeps coturn's refusal of loopback peers.
        allowLoopbackPeers: isLoopbackAddress(config.bindAddress),
        log: log.child({ service: 'coturn' }),
      });
  if (coturn !== undefined) services.push({ name: 'coturn', close: () => coturn.close() });
  const turn = coturn?.service;
  const prosody = await supervise(config.xmppServer, () => startXmppServer(config, log, pathVar, turn)).catch(
    async (err: unknown) => {
      await coturn?.close();
      throw err;
    },
  );
  services.push(prosody);
  const urls: Record<string, string> = {
    ...(turn === undefined ? {} : { TURN: `turn:${turn.host}:${turn.port}` }),
    'XMPP WebSocket': prosody.current.websocketUrl,
    'XMPP BOSH': prosody.current.boshUrl,
    [`${config.xmppServer} config`]: join(
      prosody.current.dir,
      config.xmppServer === 'prosody' ? 'prosody.cfg.lua' : 'ejabberd.yml',
    ),
  };
  // Secure domain: password users on the domain start meetings; guests log in anonymously on guest.<domain>.
  const secure = config.users.length > 0;
  const start = async (name: string, step: () => Promise<Service>) => {
    try {
      services.push(await step());
    } catch (err) {
      await closeAll(services, log);
      throw err;
    }
  };
  await start('focus', () =>
    child({
      name: 'focus',
      entry: 'focus/src/main.ts',
      readyMsg: 'focus ready',
      env: {
        CONVENE_FOCUS_DOMAIN: config.domain,
        CONVENE_FOCUS_XMPP_HOST: config.bindAddress,
        CONVENE_FOCUS_COMPONENT_PORT: String(config.componentPort),
        CONVENE_FOCUS_COMPONENT_SECRET: config.focusSecret,
        CONVENE_FOCUS_HTTP_PORT: String(config.focusHttpPort),
        CONVENE_FOCUS_HTTP_BIND_ADDRESS: LOOPBACK,
        CONVENE_FOCUS_LOG_LEVEL: config.logLevel,
        ...(secure ? { CONVENE_FOCUS_AUTHENTICATION: 'xmpp' } : {}),
      },
    }),
  );
  urls['Focus HTTP'] = `http://${LOOPBACK}:${config.focusHttpPort}/about/health`;
  const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
  await start('bridge', () =>
    child({
      name: 'bridge',
      entry: 'bridge/src/main.ts',
      readyMsg: 'bridge started',
      env: {
        CONVENE_BRIDGE_DOMAIN: config.domain,
        CONVENE_BRIDGE_XMPP_HOST: config.bindAddress,
        CONVENE_BRIDGE_XMPP_PORT: String(config.c2sPort),
        CONVENE_BRIDGE_XMPP_PASSWORD: config.bridgePassword,
        CONVENE_BRIDGE_BRIDGE_ID: 'jvb1',
        CONVENE_BRIDGE_HTTP_PORT: String(config.bridgeHttpPort),
        CONVENE_BRIDGE_HTTP_BIND_ADDRESS: LOOPBACK,
        CONVENE_BRIDGE_PUBLIC_HTTP_PORT: String(config.bridgePublicHttpPort),
        CONVENE_BRIDGE_PUBLIC_HTTP_BIND_ADDRESS: LOOPBACK,
        CONVENE_BRIDGE_MEDIA_PORT: String(config.bridgeMediaPort),
        CONVENE_BRIDGE_MEDIA_BIND_ADDRESS: config.bindAddress,
        CONVENE_BRIDGE_ADVERTISED_ADDRESSES: config.bindAddress,
        // Browsers on this host signal loopback candidates; a stack bound to a LAN address keeps the refusal.
        CONVENE_BRIDGE_ALLOW_LOCAL_CANDIDATES: String(config.bindAddress.startsWith('127.')),
        // colibri-ws through the web server's proxy: the page then needs one origin.
        CONVENE_BRIDGE_WEBSOCKET_BASE_URL: `ws://${host}:${config.webPort}`,
        CONVENE_BRIDGE_LOG_LEVEL: config.logLevel,
      },
    }),
  );
  urls['Bridge HTTP'] = `http://${LOOPBACK}:${config.bridgeHttpPort}/about/health`;
  // The page and, on the same origin, /xmpp-websocket and /colibri-ws/ proxied as nginx does in Jitsi.
  await start('web', () =>
    child({
      name: 'web',
      entry: 'web/server/main.ts',
      readyMsg: 'web ready',
      env: {
        CONVENE_WEB_DOMAIN: config.domain,
        CONVENE_WEB_PORT: String(config.webPort),
        CONVENE_WEB_BIND_ADDRESS: config.bindAddress,
        CONVENE_WEB_XMPP_HTTP_URL: `http://${host}:${config.xmppHttpPort}`,
        CONVENE_WEB_BRIDGE_HTTP_URL: `http://${LOOPBACK}:${config.bridgePublicHttpPort}`,
        CONVENE_WEB_LOG_LEVEL: config.logLevel,
        ...(secure ? { CONVENE_WEB_ANONYMOUS_DOMAIN: `guest.${config.domain}` } : {}),
      },
    }),
  );
  urls['Open in a browser'] = `http://${host}:${config.webPort}/`;
  let closing: Promise<void> | undefined;
  return {
    get prosody() {
      return prosody.current;
    },
    services,
    failed,
    urls,
    close() {
      closing ??= closeAll(services, log);
      return closing;
    },
  };
}

/**
 * Prosody or ejabberd with the Convene layout. Nothing of theirs needs to outlive a run: rooms live in memory and
 * accounts come from this config, so each runs in a private temporary directory that close() removes.
 */
function startXmppServer(
  config: StackConfig,
  log: Logger,
  pathVar: string,
  turn: TurnService | undefined,
): Promise<XmppServer> {
  const common = {
    domain: config.domain,
    bindAddress: config.bindAddress,
    c2sPort: config.c2sPort,
    componentPort: config.componentPort,
    httpPort: config.xmppHttpPort,
    focusSecret: config.focusSecret,
    accounts: [
      { user: 'jvb', host: `auth.${config.domain}`, password: config.bridgePassword },
      ...config.users.map((u) => {
        const colon = u.indexOf(':');
        return { user: u.slice(0, colon), host: config.domain, password: u.slice(colon + 1) };
      }),
    ],
    log: log.child({ service: config.xmppServer }),
  };
  const install = { install: config.installPackages, pathVar };
  if (config.xmppServer === 'ejabberd') {
    // Handing out coturn credentials (XEP-0215) is Prosody's mod_external_services here; ejabberd gets none.
    if (turn !== undefined) log.warn('--turn: only Prosody hands out TURN credentials; clients of ejabberd get none');
    return Ejabberd.start({ ...common, binaries: ensureEjabberd(install) });
  }
  return Prosody.start({
    ...common,
    binaries: ensureProsody(install),
    ...(turn === undefined ? {} : { turn }),
    ...(config.users.length > 0 ? { guestDomain: `guest.${config.domain}` } : {}),
  });
}

async function closeAll(services: readonly Service[], log: Logger): Promise<void> {
  for (const s of [...services].reverse()) {
    try {
      await s.close();
    } catch (err) {
      log.error({ err, service: s.name }, 'service failed to stop');
    }
  }
}
