// Headless Chromium (Debian's, through playwright-core) with a fake camera and microphone, and helpers that
// read what a page of the web client receives.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-gpu',
  '--autoplay-policy=no-user-gesture-required',
];

const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  // playwright-core never downloads a browser here: Debian's package is the one.
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: sudo sh -c 'apt-get update && apt-get install -y chromium'`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...args], headless: true });
}

/** Chromium that refuses camera and microphone, as when a person clicks Block. */
export function launchChromiumDenyingMedia(): Promise<Browser> {
  return launchChromium([
    ...CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
    '--deny-permission-prompts',
  ]);
}

/** Per remote endpoint, as the page's `window.convene.inboundStats()` reports it. */
export interface PageInbound {
  audioBytes: number;
  audioPackets: number;
  videoBytes: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  audioEnergy: number;
}

/** What a page's getStats says of its sending side. */
export interface PageOutbound {
  /** bits per second: the sender's bandwidth estimate (candidate-pair availableOutgoingBitrate). */
  availableOutgoingBitrate: number;
  /** `none`, `bandwidth`, `cpu` or `other`, of the video outbound-rtp. */
  qualityLimitationReason: string;
  frameWidth: number;
  bytesSent: number;
}

/** A page in its own browser context (separate storage, own camera) whose console and errors are kept in `logs`. */
export abstract class PageParticipant {
  readonly logs: string[] = [];

  protected constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    page.on('console', (m) => this.logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.logs.push(`pageerror: ${e.message}`));
  }

  /** A new page in a new context of `browser`. */
  protected static async newPage(browser: Browser, options?: BrowserContextOptions): Promise<Page> {
    return (await browser.newContext(options)).newPage();
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** A page of the web client that joined `room` as `name`. */
export class BrowserParticipant extends PageParticipant {
  /** `query`: more page parameters, e.g. `resolution=720`. */
  static async join(
    browser: Browser,
    webUrl: string,
    room: string,
    name: string,
    query = '',
  ): Promise<BrowserParticipant> {
    const p = new BrowserParticipant(await this.newPage(browser, { viewport: { width: 1280, height: 720 } }), name);
    await p.page.goto(`${webUrl}${room}?autojoin=1&name=${encodeURIComponent(name)}${query === '' ? '' : `&${query}`}`);
    return p;
  }

  /**
   * Starts sampling the page's bandwidth estimate every 250 ms and returns a reader of the highest one seen: a
   * loaded test machine can pull the current estimate down again between two looks.
   */
  async sampleEstimate(): Promise<() => Promise<number>> {
    await this.page.evaluate(() => {
      const w = window as unknown as { maxEstimate?: number };
      w.maxEstimate = 0;
      setInterval(() => {
        void window.convene?.peerConnection?.getStats().then((stats) =>
          stats.forEach((s: Record<string, unknown>) => {
            if (s.type === 'candidate-pair' && s.nominated === true && typeof s.availableOutgoingBitrate === 'number')
              w.maxEstimate = Math.max(w.maxEstimate ?? 0, s.availableOutgoingBitrate);
          }),
        );
      }, 250);
    });
    return () => this.page.evaluate(() => (window as unknown as { maxEstimate?: number }).maxEstimate ?? 0);
  }

  /** The sending side of the page's peer connection: its bandwidth estimate and what limits its video. */
  outbound(): Promise<PageOutbound> {
    return this.page.evaluate(async () => {
      const out = { availableOutgoingBitrate: 0, qualityLimitationReason: '', frameWidth: 0, bytesSent: 0 };
      const pc = window.convene?.peerConnection;
      if (pc === undefined) return out;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'candidate-pair' && s.nominated === true && typeof s.availableOutgoingBitrate === 'number')
          out.availableOutgoingBitrate = s.availableOutgoingBitrate;
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          if (typeof s.qualityLimitationReason === 'string') out.qualityLimitationReason = s.qualityLimitationReason;
          out.frameWidth = Math.max(out.frameWidth, typeof s.frameWidth === 'number' ? s.frameWidth : 0);
          out.bytesSent += typeof s.bytesSent === 'number' ? s.bytesSent : 0;
        }
      });
      return out;
    });
  }

  /** Asks every source at `height` from now on (the page's receiveHeight), undefined: back to the layout. */
  setReceiveHeight(height: number | undefined): Promise<void> {
    return this.page.evaluate((h) => window.convene?.quality.setReceiveHeight(h ?? undefined), height ?? null);
  }

  /** The page's outbound video encodings: their height and whether the browser sends them. */
  encodings(): Promise<Array<{ height: number; active: boolean; bytesSent: number; limitation: string }>> {
    return this.page.evaluate(async () => {
      const out: Array<{ height: number; active: boolean; bytesSent: number; limitation: string }> = [];
      const pc = window.convene?.peerConnection;
      if (pc === undefined) return out;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
        out.push({
          height: typeof s.frameHeight === 'number' ? s.frameHeight : 0,
          active: s.active !== false,
          bytesSent: typeof s.bytesSent === 'number' ? s.bytesSent : 0,
          limitation: typeof s.qualityLimitationReason === 'string' ? s.qualityLimitationReason : '',
        });
      });
      return out;
    });
  }

  endpointId(): Promise<string | undefined> {
    return this.page.evaluate(() => window.convene?.endpointId);
  }

  /** The peer connection's ICE servers (from the XMPP server, XEP-0215) and its candidate policy. */
  iceConfiguration(): Promise<{ iceServers: RTCIceServer[]; iceTransportPolicy?: string }> {
    return this.page.evaluate(() => {
      const c = window.convene?.peerConnection?.getConfiguration();
      return { iceServers: c?.iceServers ?? [], iceTransportPolicy: c?.iceTransportPolicy };
    });
  }

  /** Candidate types of the selected pair (`relay` when media goes through TURN). */
  selectedPair(): Promise<{ local: string; remote: string } | undefined> {
    return this.page.evaluate(async () => {
      const stats = new Map<string, Record<string, unknown>>();
      (await window.convene?.peerConnection?.getStats())?.forEach((s: Record<string, unknown>) =>
        stats.set(String(s.id), s),
      );
      const transport = [...stats.values()].find((s) => s.type === 'transport');
      const pair = stats.get(String(transport?.selectedCandidatePairId));
      if (pair === undefined) return undefined;
      const type = (id: unknown) => String(stats.get(String(id))?.candidateType);
      return { local: type(pair.localCandidateId), remote: type(pair.remoteCandidateId) };
    });
  }

  inbound(): Promise<Record<string, PageInbound>> {
    return this.page.evaluate(async () => (await window.convene?.inboundStats()) ?? {});
  }

  /** Milestones of the call in ms since the page started it. */
  timings(): Promise<Record<string, number>> {
    return this.page.evaluate(() => ({ ...(window.convene?.timings ?? {}) }));
  }

  /** The status line under the room name ("Connected", "Reconnecting…"...). */
  async status(): Promise<string> {
    return (await this.page.textContent('.status')) ?? '';
  }

  /** The page's bridge channel: its transport, the classes of what came over it, the last ForwardedSources. */
  bridgeChannel(): Promise<{ transport?: string; received: string[]; forwarded?: string[] }> {
    return this.page.evaluate(() => {
      const c = window.convene?.bridgeChannel;
      return { transport: c?.transport, received: [...(c?.received ?? [])], forwarded: c?.forwarded };
    });
  }

  /** Sends an EndpointMessage to `to` ('' for everyone) over the page's bridge channel. */
  sendEndpointMessage(to: string, text: string): Promise<boolean> {
    return this.page.evaluate(
      ([t, x]) =>
        window.convene?.sendBridgeMessage({ colibriClass: 'EndpointMessage', to: t, msgPayload: { text: x } }) ?? false,
      [to, text] as const,
    );
  }

  /** Whether the page's peer connection reports an open data channel (WebRTC stats `data-channel`, state open). */
  dataChannelOpen(): Promise<boolean> {
    return this.page.evaluate(async () => {
      const stats = await window.convene?.peerConnection?.getStats();
      if (stats === undefined) return false;
      let open = false;
      stats.forEach((s: { type: string; state?: string; label?: string }) => {
        if (s.type === 'data-channel' && s.state === 'open' && s.label === 'JVB data channel') open = true;
      });
      return open;
    });
  }

  receivingFrom(): Promise<string[]> {
    return this.page.evaluate(() => window.convene?.receivingFrom() ?? []);
  }

  /** Endpoint ids and names of the remote tiles in the grid. */
  tiles(): Promise<
    Array<{
      endpoint: string;
      name: string;
      videoMuted: boolean;
      screen: boolean;
      videoWidth: number;
      noMedia: boolean;
    }>
  > {
    return this.page.$$eval('.tile:not(.local)', (els) =>
      els.map((el) => ({
        endpoint: (el as HTMLElement).dataset.endpoint ?? '',
        name: el.querySelector('.name')?.textContent ?? '',
        videoMuted: el.classList.contains('video-muted'),
        screen: el.classList.contains('screen'),
        videoWidth: el.querySelector('video')?.videoWidth ?? 0,
        noMedia: el.classList.contains('no-media'),
      })),
    );
  }
}
