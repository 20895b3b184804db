// JVB's Colibri2ConferenceHandler.validateRequest plus the checks Convene adds (fingerprints, names):
// everything is checked before anything changes.
import { CAPABILITY_SOURCE_NAMES, type Colibri2Endpoint, type ConferenceModify } from '@convene/protocol/colibri2';
import type { IceUdpTransport } from '@convene/protocol/jingle';
import { badRequest, notImplemented } from './colibri2-failure.js';

/** SCTP port JVB accepts (and answers with). */
export const SCTP_PORT = 5000;
const FINGERPRINT_HASHES = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];
const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/;
const BARE_JID = /^[^@/\s"&'<>:]+@[^@/\s]+$/;

/** Whether this endpoint element asks for more than expire or force-mute. */
export function isHeavy(ep: Colibri2Endpoint): boolean {
  return ep.create === true || ep.media.length > 0 || ep.transport !== undefined || ep.sources !== undefined;
}

/** Throws the StanzaFailure JVB would answer with; returns when the request may be applied. */
export function validateRequest(req: ConferenceModify): void {
  if (req.relays.length > 0) {
    if (req.endpoints.length > 0) throw notImplemented('Endpoints and relays in the same request');
    throw notImplemented('Relays are not supported by this bridge');
  }
  if (req.create === true) {
    if (req.name === undefined) throw badRequest('bad-name', 'Conference name is required with create');
    if (!BARE_JID.test(req.name)) throw badRequest('bad-name', 'Invalid conference name (not a JID)');
  }
  if (req.endpoints.filter(isHeavy).length > 1)
    throw notImplemented('Only one endpoint per request may carry create, media, transport or sources');
  const seen = new Set<string>();
  for (const ep of req.endpoints) {
    if (seen.has(ep.id)) throw badRequest('duplicate-endpoint', `Endpoint ${ep.id} appears twice`);
    seen.add(ep.id);
    validateEndpoint(ep);
  }
}

function validateEndpoint(ep: Colibri2Endpoint): void {
  if (ep.create === true && ep.expire === true)
    throw badRequest('bad-endpoint', `Endpoint ${ep.id}: create and expire together`);
  if (ep.create === true) {
    if (ep.transport === undefined)
      throw badRequest('no-transport', `Attempt to create endpoint ${ep.id} with no <transport>`);
    if (!ep.capabilities.includes(CAPABILITY_SOURCE_NAMES))
      throw badRequest('no-source-names', 'Source name support is mandatory.');
  }
  if (ep.mucRole === 'visitor' && ep.sources !== undefined && ep.sources.length > 0)
    throw badRequest('visitor-sources', `Endpoint ${ep.id} is a visitor and cannot have sources`);
  const t = ep.transport;
  if (t === undefined) return;
  if (t.iceRestart === true) throw notImplemented('ICE restart is not supported by this bridge');
  if (t.sctp?.port !== undefined && t.sctp.port !== SCTP_PORT)
    throw badRequest('bad-sctp', `SCTP port ${t.sctp.port} is not supported (only ${SCTP_PORT})`);
  if (t.sctp?.role !== undefined && t.sctp.role !== 'server')
    throw badRequest('bad-sctp', `SCTP role ${t.sctp.role} is not supported (only server)`);
  if (t.ice !== undefined) validateIce(ep.id, t.ice);
}

function validateIce(id: string, ice: IceUdpTransport): void {
  // No rule on ufrag/pwd/fingerprint presence: Jicofo forwards transport-info (candidates, often no fingerprint)
  // as an update, and the bridge merges it with what it already has (toMediaTransport).
  for (const fp of ice.fingerprints) {
    if (!FINGERPRINT_HASHES.includes(fp.hash.toLowerCase()))
      throw badRequest('bad-fingerprint', `Endpoint ${id}: unsupported fingerprint hash "${fp.hash}"`);
    if (!FINGERPRINT_VALUE.test(fp.value))
      throw badRequest('bad-fingerprint', `Endpoint ${id}: fingerprint is not colon-separated hex`);
    if (fp.setup === 'holdconn')
      throw badRequest('bad-fingerprint', `Endpoint ${id}: DTLS setup "holdconn" is not supported`);
  }
}
