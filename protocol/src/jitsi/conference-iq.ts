import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_FOCUS } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optBool, reqAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import type { StanzaError } from '../xml/stanza-error.js';

/** The client's `<conference xmlns="http://jitsi.org/protocol/focus" room>` request (PROTOCOL.md §2). */
export interface ConferenceRequest {
  room: string;
  machineUid?: string;
  sessionId?: string;
  token?: string;
  vnode?: string;
  /** `<property name value>`, e.g. `rtcstatsEnabled`, `visitors-version`, `startAudioMuted`. */
  properties: Record<string, string>;
}

/** The focus's reply: `ready` and `focusjid` are what the client needs. */
export interface ConferenceReply {
  room?: string;
  ready: boolean;
  focusJid?: string;
  sessionId?: string;
  identity?: string;
  vnode?: string;
  /** `authentication`, `visitors-supported`, `externalAuth`, `sipGatewayEnabled`, `live`. */
  properties: Record<string, string>;
}

/** Parses the request payload. */
export function parseConferenceRequest(el: Element): ConferenceRequest {
  expectElement(el, 'conference', NS_FOCUS);
  const req: ConferenceRequest = { room: reqAttr(el, 'room'), properties: parseProperties(el) };
  copyOpt(el, 'machine-uid', (v) => (req.machineUid = v));
  copyOpt(el, 'session-id', (v) => (req.sessionId = v));
  copyOpt(el, 'token', (v) => (req.token = v));
  copyOpt(el, 'vnode', (v) => (req.vnode = v));
  return req;
}

/** Builds the request payload. */
export function buildConferenceRequest(req: ConferenceRequest): Element {
  return xmlElement(
    'conference',
    {
      xmlns: NS_FOCUS,
      room: req.room,
      'machine-uid': req.machineUid,
      'session-id': req.sessionId,
      token: req.token,
      vnode: req.vnode,
    },
    buildProperties(req.properties),
  );
}

/** Parses the reply payload; `ready` is required. */
export function parseConferenceReply(el: Element): ConferenceReply {
  expectElement(el, 'conference', NS_FOCUS);
  const ready = optBool(el, 'ready');
  if (ready === undefined)
    throw new ProtocolError('missing-attribute', `<conference xmlns="${NS_FOCUS}"> needs 'ready'`);
  const reply: ConferenceReply = { ready, properties: parseProperties(el) };
  copyOpt(el, 'room', (v) => (reply.room = v));
  copyOpt(el, 'focusjid', (v) => (reply.focusJid = v));
  copyOpt(el, 'session-id', (v) => (reply.sessionId = v));
  copyOpt(el, 'identity', (v) => (reply.identity = v));
  copyOpt(el, 'vnode', (v) => (reply.vnode = v));
  return reply;
}

/** Builds the reply payload. */
export function buildConferenceReply(reply: ConferenceReply): Element {
  return xmlElement(
    'conference',
    {
      xmlns: NS_FOCUS,
      room: reply.room,
      focusjid: reply.focusJid,
      ready: reply.ready,
      'session-id': reply.sessionId,
      identity: reply.identity,
      vnode: reply.vnode,
    },
    buildProperties(reply.properties),
  );
}

/** True when a conference IQ error says the auth session is invalid (`<session-invalid xmlns=focus>`). */
export function isSessionInvalid(err: StanzaError): boolean {
  return err.extensions.some((e) => e.getName() === 'session-invalid' && e.getNS() === NS_FOCUS);
}

/** The `not-acceptable` error for an unknown session id. */
export function sessionInvalidError(): StanzaError {
  return {
    type: 'cancel',
    condition: 'not-acceptable',
    extensions: [xmlElement('session-invalid', { xmlns: NS_FOCUS })],
  };
}

function parseProperties(el: Element): Record<string, string> {
  const entries = childrenOf(el, 'property', NS_FOCUS).map((p) => [reqAttr(p, 'name'), optAttr(p, 'value') ?? '']);
  return Object.fromEntries(entries) as Record<string, string>;
}

function buildProperties(props: Record<string, string>): Element[] {
  return Object.entries(props).map(([name, value]) => xmlElement('property', { name, value }));
}

function copyOpt(el: Element, name: string, set: (v: string) => void): void {
  const v = optAttr(el, name);
  if (v !== undefined) set(v);
}
