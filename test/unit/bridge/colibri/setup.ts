// A ColibriHandler over a ConferenceRegistry on FakeMedia, the way the colibri unit tests drive the bridge.
import type { Element } from 'ltx';
import { pino } from 'pino';
import { JidAllowList } from '@convene/protocol/lib';
import { parseXml } from '@convene/protocol/xml';
import { ColibriHandler, ConferenceRegistry, type ColibriHandlerOptions } from '@convene/bridge/colibri';
import { FakeMedia } from './fake-media.js';

export const ROOM = 'jvbbrewery@internal.auth.meet.localhost';
/** The focus's brewery occupant, where its Colibri2 comes from. */
export const FOCUS = `${ROOM}/focus`;
/** The focus's real JID (the component's), the one the handler checks. */
export const FOCUS_REAL_JID = 'focus@focus.meet.localhost/focus';

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

export function colibriSetup(options: ColibriSetupOptions = {}) {
  const media = new FakeMedia();
  const log = pino({ enabled: false });
  const registry = new ConferenceRegistry({
    media,
    log,
    endpointConnectTimeoutMs: options.endpointConnectTimeoutMs ?? 60_000,
    conferenceIdleTimeoutMs: options.conferenceIdleTimeoutMs ?? 60_000,
  });
  const handler = new ColibriHandler({
    registry,
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
  return { media, log, registry, handler, send };
}
