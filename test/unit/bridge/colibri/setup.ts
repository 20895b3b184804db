// A ColibriHandler over a ConferenceRegistry on FakeMedia, the way the colibri unit tests drive the bridge.
import type { Element } from 'ltx';
import { pino } from 'pino';
import { parseXml } from '@convene/protocol/xml';
import { ColibriHandler, ConferenceRegistry, type ColibriHandlerOptions } from '@convene/bridge/colibri';
import { FakeMedia } from './fake-media.js';

export const ROOM = 'jvbbrewery@internal.auth.meet.localhost';
/** The brewery occupant the handler accepts Colibri2 from. */
export const FOCUS = `${ROOM}/focus`;

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
    breweryRoom: ROOM,
    focusNick: 'focus',
    maxConferences: options.maxConferences ?? 3,
    webSocketUrl: options.webSocketUrl ?? (() => 'ws://x'),
    log,
  });
  /** Hands the handler a Colibri2 request (XML text or a parsed element), from the focus unless told. */
  const send = (payload: string | Element, from = FOCUS): Promise<Element> =>
    handler.handle({ from, to: '', id: '1', payload: typeof payload === 'string' ? parseXml(payload) : payload });
  return { media, log, registry, handler, send };
}
