import { ProtocolError } from '../lib/errors.js';
import { isObject, parseJsonText } from '../lib/json-text.js';
import type { ConferenceReply, ConferenceRequest } from './conference-iq.js';

// POST /conference-request/v1 (Jicofo ConferenceRequest.kt): camelCase keys, null/empty omitted,
// property values may be JSON booleans or numbers and are treated as strings.

/** Parses the HTTP request body. */
export function parseConferenceRequestJson(text: string): ConferenceRequest {
  const o = parseJsonText(text, 'conference request');
  if (!isObject(o)) throw new ProtocolError('bad-json', 'conference request is not a JSON object');
  const room = str(o, 'room');
  if (room === undefined || room === '')
    throw new ProtocolError('missing-attribute', "conference request needs 'room'");
  const req: ConferenceRequest = { room, properties: props(o) };
  setIf(str(o, 'machineUid'), (v) => (req.machineUid = v));
  setIf(str(o, 'sessionId'), (v) => (req.sessionId = v));
  setIf(str(o, 'token'), (v) => (req.token = v));
  setIf(str(o, 'vnode'), (v) => (req.vnode = v));
  return req;
}

/** Builds the HTTP request body. */
export function buildConferenceRequestJson(req: ConferenceRequest): string {
  return JSON.stringify({
    room: req.room,
    machineUid: req.machineUid,
    sessionId: req.sessionId,
    token: req.token,
    vnode: req.vnode,
    properties: Object.keys(req.properties).length > 0 ? req.properties : undefined,
  });
}

/** Parses the HTTP reply body. */
export function parseConferenceReplyJson(text: string): ConferenceReply {
  const o = parseJsonText(text, 'conference reply');
  if (!isObject(o)) throw new ProtocolError('bad-json', 'conference reply is not a JSON object');
  const ready = o.ready;
  if (ready === undefined) throw new ProtocolError('missing-attribute', "conference reply needs 'ready'");
  if (typeof ready !== 'boolean') throw new ProtocolError('unknown-value', "conference reply 'ready' is not a boolean");
  const reply: ConferenceReply = { ready, properties: props(o) };
  setIf(str(o, 'room'), (v) => (reply.room = v));
  setIf(str(o, 'focusJid'), (v) => (reply.focusJid = v));
  setIf(str(o, 'sessionId'), (v) => (reply.sessionId = v));
  setIf(str(o, 'identity'), (v) => (reply.identity = v));
  setIf(str(o, 'vnode'), (v) => (reply.vnode = v));
  return reply;
}

/** Builds the HTTP reply body. */
export function buildConferenceReplyJson(reply: ConferenceReply): string {
  return JSON.stringify({
    room: reply.room,
    ready: reply.ready,
    focusJid: reply.focusJid,
    sessionId: reply.sessionId,
    identity: reply.identity,
    vnode: reply.vnode,
    properties: reply.properties,
  });
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ProtocolError('bad-json', `'${key}' is not a string`);
  return v;
}

function props(o: Record<string, unknown>): Record<string, string> {
  const p = o.properties;
  if (p === undefined || p === null) return {};
  if (!isObject(p)) throw new ProtocolError('bad-json', "'properties' is not an object");
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string') entries.push([k, v]);
    else if (typeof v === 'boolean' || typeof v === 'number') entries.push([k, String(v)]);
    else throw new ProtocolError('bad-json', `property '${k}' is not a string, number or boolean`);
  }
  return Object.fromEntries(entries);
}

function setIf(v: string | undefined, set: (v: string) => void): void {
  if (v !== undefined && v !== '') set(v);
}
