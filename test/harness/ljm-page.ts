// A real lib-jitsi-meet client (npm @lyno/lib-jitsi-meet, a Dec-2021 build of jitsi/lib-jitsi-meet) in headless
// Chromium: ljm-page/page.ts bundled with esbuild once per run, served from the test process on a loopback port
// that proxies the WebSocket paths to the stack's web server (one origin, as nginx gives a Jitsi install).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { PageParticipant } from './browser-page.js';
import type { LjmEvent, LjmInbound } from './ljm-page/page.js';

export type { LjmEvent, LjmInbound };

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.convene', 'artifacts');
const PAGE = '<!doctype html><meta charset="utf-8"><title>lib-jitsi-meet</title><script src="/ljm.js"></script>';

let bundle: Promise<Buffer> | undefined;

/**
 * The page script and the library as one browser script (in memory, about 2.5 MB, built once per run).
 * CONVENE_LJM_BUNDLE names a bundle built elsewhere instead: ljm-page/page.ts bundled with another lib-jitsi-meet
 * (e.g. a current build from its repository, which npm does not have), to run these tests against it by hand.
 */
function ljmBundle(): Promise<Buffer> {
  // eslint-disable-next-line no-restricted-properties -- test harness: an optional override for manual runs
  const prebuilt = process.env.CONVENE_LJM_BUNDLE;
  if (prebuilt !== undefined && prebuilt !== '') bundle ??= Promise.resolve(readFileSync(prebuilt));
  bundle ??= build({
    entryPoints: [join(import.meta.dirname, 'ljm-page', 'page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110'],
    write: false,
    // The library's CommonJS reads `global` and `__filename` (its logger names); `events` comes from npm.
    define: { global: 'window', __filename: '"lib-jitsi-meet"' },
    logLevel: 'silent',
  }).then((r) => Buffer.from(r.outputFiles[0]?.contents ?? new Uint8Array()));
  return bundle;
}

const proxied = (url: string | undefined): boolean =>
  url !== undefined && (url.startsWith('/xmpp-websocket') || url.startsWith('/colibri-ws/'));

/** Serves the page at `url` and pipes WebSocket upgrades of /xmpp-websocket and /colibri-ws/ to `webUrl`. */
export interface LjmServer {
  url: string;
  close(): Promise<void>;
}

export async function startLjmServer(webUrl: string): Promise<LjmServer> {
  const script = await ljmBundle();
  const target = new URL(webUrl);
  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (path === '/ljm.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else if (path === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    if (!proxied(req.url)) {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    upstream.once('connect', () => {
      // The request as it came, with Host and Origin those of the web server (Prosody checks the Origin).
      let lines = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] ?? '';
        const lower = name.toLowerCase();
        const value = lower === 'host' ? target.host : lower === 'origin' ? target.origin : req.rawHeaders[i + 1];
        lines += `${name}: ${value}\r\n`;
      }
      upstream.write(`${lines}\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  });
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A lib-jitsi-meet page in its own browser context (own storage, own fake camera) that joined `room`. */
export class LjmParticipant extends PageParticipant {
  /** Opens the page served by `startLjmServer` at `url`; it connects and joins at once. */
  static async join(browser: Browser, url: string, room: string, name: string, query = ''): Promise<LjmParticipant> {
    const p = new LjmParticipant(await this.newPage(browser), name);
    const extra = query === '' ? '' : `&${query}`;
    await p.page.goto(`${url}?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}${extra}`);
    return p;
  }

  bridgeChannelMode(): Promise<string | undefined> {
    return this.page.evaluate(() => window.ljm?.bridgeChannelMode());
  }

  sendEndpointMessage(to: string, text: string): Promise<void> {
    return this.page.evaluate(([t, x]) => window.ljm?.sendEndpointMessage(t, x), [to, text] as const);
  }

  endpointId(): Promise<string | undefined> {
    return this.page.evaluate(() => window.ljm?.endpointId());
  }

  meetingId(): Promise<string | undefined> {
    return this.page.evaluate(() => window.ljm?.meetingId());
  }

  events(): Promise<LjmEvent[]> {
    return this.page.evaluate(() => window.ljm?.events ?? []);
  }

  /** Ids in the events called `name` (USER_JOINED, USER_LEFT, ...). */
  async idsOf(name: string): Promise<string[]> {
    return (await this.events()).filter((e) => e.name === name).map((e) => String(e.data?.id));
  }

  jingleErrors(): Promise<string[]> {
    return this.page.evaluate(() => window.ljm?.jingleErrors ?? []);
  }

  inbound(): Promise<Record<string, LjmInbound>> {
    return this.page.evaluate(async () => (await window.ljm?.inbound()) ?? {});
  }

  /** The highest sender estimate toward the bridge the page has seen (bits/s). */
  estimate(): Promise<number> {
    return this.page.evaluate(() => window.ljm?.estimate() ?? 0);
  }

  sessionId(): Promise<string | undefined> {
    return this.page.evaluate(() => window.ljm?.sessionId());
  }

  isModerator(): Promise<boolean> {
    return this.page.evaluate(() => window.ljm?.isModerator() ?? false);
  }

  ssrcs(): Promise<{ local: number[]; remote: number[] }> {
    return this.page.evaluate(() => window.ljm?.ssrcs() ?? { local: [], remote: [] });
  }

  /** The ICE servers the library got from Prosody (XEP-0215) for the bridge connection. */
  iceServers(): Promise<RTCIceServer[]> {
    return this.page.evaluate(() => window.ljm?.iceServers() ?? []);
  }

  /** Candidate types of the bridge connection's selected pair (`relay` when media goes through TURN). */
  muteParticipant(id: string, media: 'audio' | 'video'): Promise<void> {
    return this.page.evaluate(([i, m]) => window.ljm?.muteParticipant(i, m), [id, media] as const);
  }

  localMuted(): Promise<{ audio: boolean | undefined; video: boolean | undefined }> {
    return this.page.evaluate(() => window.ljm?.localMuted() ?? { audio: undefined, video: undefined });
  }

  selectedPair(): Promise<{ local: string; remote: string } | undefined> {
    return this.page.evaluate(async () => window.ljm?.selectedPair());
  }

  restart(): Promise<void> {
    return this.page.evaluate(() => window.ljm?.restart());
  }

  leave(): Promise<void> {
    return this.page.evaluate(async () => {
      await window.ljm?.leave();
    });
  }

  /** Closes the page, keeping its console (the library logs warnings and errors) in .convene/artifacts/. */
  override async close(): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, `ljm-${this.name}.log`), `${this.logs.join('\n')}\n`);
    await super.close();
  }
}
