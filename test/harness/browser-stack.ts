// The whole stack a browser talks to: Prosody, the focus, the bridge and the web server, each a real process
// on free loopback ports, started the way `npm start` starts them.
import type { Prosody, TurnService } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from './app-process.js';
import { startTestProsody } from './prosody.js';
import { waitUntil } from './wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';

export interface BrowserStack {
  prosody: Prosody;
  focus: AppProcess;
  /** The bridge running now (replaced by startBridge). */
  bridge: AppProcess;
  web: AppProcess;
  /** `http://127.0.0.1:<port>/`: the page. */
  webUrl: string;
  /** The running bridge's Prometheus text (its private /metrics). */
  bridgeMetrics(): Promise<string>;
  /** Prosody's HTTP listener (`/xmpp-websocket`, `/http-bind`). */
  xmppHttpUrl: string;
  /** The focus's HTTP server (`/metrics`, `/conference-request/v1`). */
  focusHttpUrl: string;
  /** The first bridge's private HTTP server (`/metrics`) and public one (colibri-ws). */
  bridgeHttpUrl: string;
  bridgePublicHttpUrl: string;
  /** Kills the bridge as a crash does (SIGKILL) and waits until the focus no longer counts it. */
  killBridge(): Promise<void>;
  /** Starts a bridge on the old one's public port (where the web server proxies colibri-ws); waits for the focus. */
  startBridge(bridgeId: string): Promise<void>;
  close(): Promise<void>;
}

function bridgeProcess(prosody: Prosody, wsBase: string, bridgeId: string, publicPort: number): AppProcess {
  return new AppProcess('bridge/src/main.ts', { CONVENE_BRIDGE_XMPP_PASSWORD: BRIDGE_PASSWORD }, [
    ...['--xmpp-host', '127.0.0.1', '--xmpp-port', String(prosody.ports.c2s), '--domain', 'meet.localhost'],
    ...['--bridge-id', bridgeId, '--http-port', '0', '--public-http-port', String(publicPort)],
    ...['--media-port', '0', '--media-bind-address', '127.0.0.1'],
    ...['--websocket-base-url', wsBase, '--presence-interval-ms', '1000'],
    ...['--log-level', 'debug', '--allow-local-candidates'],
  ]);
}

async function focusBridgeCount(focusHttp: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${focusHttp}/stats`);
  const stats = (await res.json()) as { bridge_selector: { bridge_count: number } };
  return stats.bridge_selector.bridge_count;
}

export interface BrowserStackOptions {
  /** A TURN server whose credentials Prosody hands the pages (XEP-0215). */
  turn?: TurnService;
  /** Where the bridge tells pages to open colibri-ws (a front such as nginx); default: the web server. */
  websocketBaseUrl?: string;
  /**
   * Secure domain: Prosody has password users on meet.localhost (these accounts) and anonymous guests on
   * guest.meet.localhost, and the focus runs `authentication: xmpp`.
   */
  secureDomain?: { users: ReadonlyArray<{ user: string; password: string }> };
}

export async function startBrowserStack(options: BrowserStackOptions = {}): Promise<BrowserStack> {
  const secure = options.secureDomain;
  const prosody = await startTestProsody({
    accounts: [
      { user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD },
      ...(secure?.users ?? []).map((u) => ({ ...u, host: 'meet.localhost' })),
    ],
    ...(options.turn === undefined ? {} : { turn: options.turn }),
    ...(secure === undefined ? {} : { guestDomain: 'guest.meet.localhost' }),
  });
  const started: AppProcess[] = [];
  const close = async () => {
    for (const p of started.reverse()) await p.stop();
    await prosody.close();
  };
  try {
    const [focusHttp, webPort] = [await freePort(), await freePort()];
    const focus = new AppProcess('focus/src/main.ts', {
      CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
      CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
      CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
      CONVENE_FOCUS_LOG_LEVEL: 'debug',
      ...(secure === undefined ? {} : { CONVENE_FOCUS_AUTHENTICATION: 'xmpp' }),
    });
    started.push(focus);
    // colibri-ws URLs point at the web server, which proxies them to the bridge (one origin for the page).
    const bridgePublicPort = await freePort();
    const wsBase = options.websocketBaseUrl ?? `ws://127.0.0.1:${webPort}`;
    const bridge = bridgeProcess(prosody, wsBase, 'jvb1', bridgePublicPort);
    started.push(bridge);
    let bridgeHttp = '';
    const [, bridgeStarted] = await Promise.all([
      focus.logLine('focus ready'),
      bridge.logLine('bridge started', 30_000),
    ]);
    const web = new AppProcess('web/server/main.ts', {
      CONVENE_WEB_PORT: String(webPort),
      CONVENE_WEB_XMPP_HTTP_URL: `http://127.0.0.1:${prosody.ports.http}`,
      // The web server proxies /colibri-ws/ as Jitsi's nginx does: to the bridge's public server.
      CONVENE_WEB_BRIDGE_HTTP_URL: String(bridgeStarted.publicHttpUrl),
      ...(secure === undefined ? {} : { CONVENE_WEB_ANONYMOUS_DOMAIN: 'guest.meet.localhost' }),
    });
    started.push(web);
    bridgeHttp = String(bridgeStarted.httpUrl);
    const ready = await web.logLine('web ready', 30_000);
    await waitUntil('the focus to see the bridge', async () => (await focusBridgeCount(focusHttp)) === 1, 15_000);
    const stack: BrowserStack = {
      prosody,
      focus,
      bridge,
      web,
      webUrl: String(ready.url),
      async bridgeMetrics() {
        return (await fetch(`${bridgeHttp.replace(/\/$/, '')}/metrics`)).text();
      },
      xmppHttpUrl: `http://127.0.0.1:${prosody.ports.http}`,
      focusHttpUrl: `http://127.0.0.1:${focusHttp}`,
      bridgeHttpUrl: String(bridgeStarted.httpUrl),
      bridgePublicHttpUrl: String(bridgeStarted.publicHttpUrl),
      async killBridge() {
        stack.bridge.child.kill('SIGKILL');
        await stack.bridge.exited;
        await waitUntil('the focus to lose the bridge', async () => (await focusBridgeCount(focusHttp)) === 0, 15_000);
      },
      async startBridge(bridgeId) {
        const next = bridgeProcess(prosody, wsBase, bridgeId, bridgePublicPort);
        started.push(next);
        stack.bridge = next;
        bridgeHttp = String((await next.logLine('bridge started', 30_000)).httpUrl);
        await waitUntil('the focus to see the bridge', async () => (await focusBridgeCount(focusHttp)) === 1, 15_000);
      },
      close,
    };
    return stack;
  } catch (err) {
    await close();
    throw err;
  }
}
