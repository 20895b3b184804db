// A ColibriHandler over a real MediaServer (a UDP socket on loopback, no peers), the way the colibri unit tests
// drive the bridge. Every server a test made is closed after it.
import type { Element } from 'ltx';
import { pino } from 'pino';
import { JidAllowList } from '@convene/protocol/lib';
import { parseXml } from '@convene/protocol/xml';
import { ColibriHandler, type ColibriHandlerOptions } from '@convene/bridge/colibri';
import { MediaServer } from '@convene/bridge/conference';

export const ROOM = 'jvbbrewery@internal.auth.meet.localhost';
/** The focus's brewery occupant, where its Colibri2 comes from. */
export const FOCUS = `${ROOM}/focus`;
/** The focus's real JID (the component's), the one the handler checks. */
export const FOCUS_REAL_JID = 'focus@focus.meet.localhost/focus';
/** The host candidate address the media server advertises. */
export const ADVERTISED = '192.0.2.10';

export interface ColibriSetupOptions {
  /** 3 unless told. */
  maxConferences?: number;
  /** 60 s unless told. */
  endpointConnectTimeoutMs?: number;
  /** 60 s unless told. */
  conferenceIdleTimeoutMs?: number;
  /** `ws://x` unless told. */
  webSocketUrl?: ColibriHandlerOptions['webSocketUrl'];
}

const servers: MediaServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

export async function colibriSetup(options: ColibriSetupOptions = {}) {
  const log = pino({ enabled: false });
  const media = await MediaServer.create({
    port: 0,
    bindAddress: '127.0.0.1',
    advertisedAddresses: [ADVERTISED],
    endpointConnectTimeoutMs: options.endpointConnectTimeoutMs ?? 60_000,
    conferenceIdleTimeoutMs: options.conferenceIdleTimeoutMs ?? 60_000,
  });
  servers.push(media);
  const handler = new ColibriHandler({
    media,
    allowedFocus: new JidAllowList(['focus@auth.meet.localhost', 'focus.meet.localhost']),
    maxConferences: options.maxConferences ?? 3,
    webSocketUrl: options.webSocketUrl ?? (() => 'ws://x'),
    log,
  });
  /** Hands the handler a Colibri2 request (XML text or a parsed element), from the focus's occupant unless told. */
  const send = (
    payload: string | Element,
    sender: string | undefined = FOCUS_REAL_JID,
    from = FOCUS,
  ): Promise<Element> =>
    handler.handle({
      from,
      sender,
      to: '',
      id: '1',
      payload: typeof payload === 'string' ? parseXml(payload) : payload,
    });
  return { media, log, handler, send };
}
