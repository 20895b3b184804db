// The conference request (PROTOCOL.md §2) as lib-jitsi-meet sends it, with Jicofo's authentication sessions: the
// page's machine id always, and the session id a login gave it (kept in localStorage, as lib-jitsi-meet keeps its
// `sessionId`), so a page that logged in once starts meetings again without a password until the session ends.
import { NS_FOCUS, xmlElement } from '@convene/protocol/xml';
import { buildConferenceRequest, parseConferenceReply, type ConferenceReply } from '@convene/protocol/jitsi';
import { XmppConnection } from './xmpp-connection.js';

const SESSION_KEY = 'convene-auth-session';
const MACHINE_KEY = 'convene-machine-uid';

/** The focus refused to start the meeting for this page: someone must log in first (secure domain). */
export class AuthenticationRequired extends Error {
  readonly condition = 'not-authorized';
  constructor() {
    super('the meeting needs a logged-in user to start it');
  }
}

let uid: string | undefined;
/** This browser's id for the focus's sessions (`machine-uid`), kept across visits. */
export function machineUid(): string {
  uid ??= localStorage.getItem(MACHINE_KEY) ?? randomHex(16);
  localStorage.setItem(MACHINE_KEY, uid);
  return uid;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One conference request and its reply. A session id from the reply is kept; a stale one (`not-acceptable`, e.g.
 * `<session-invalid/>` after the focus restarted) is dropped and the request sent once more without it;
 * `not-authorized` is AuthenticationRequired. Other errors are thrown as they came (xmpp.js's StanzaError).
 */
export async function sendConferenceRequest(
  conn: XmppConnection,
  focusDomain: string,
  roomJid: string,
  id: string,
): Promise<ConferenceReply> {
  for (let retried = false; ; retried = true) {
    const sessionId = localStorage.getItem(SESSION_KEY) ?? undefined;
    const req = buildConferenceRequest({
      room: roomJid,
      machineUid: machineUid(),
      ...(sessionId === undefined ? {} : { sessionId }),
      properties: { rtcstatsEnabled: 'false', 'visitors-version': '1' },
    });
    try {
      const res = await conn.request(xmlElement('iq', { type: 'set', to: focusDomain, id }, [req]), 15_000);
      const payload = res.getChild('conference', NS_FOCUS);
      const reply =
        payload === undefined ? { room: roomJid, ready: false, properties: {} } : parseConferenceReply(payload);
      if (reply.sessionId !== undefined) localStorage.setItem(SESSION_KEY, reply.sessionId);
      return reply;
    } catch (err) {
      const condition = (err as { condition?: string }).condition;
      if (condition === 'not-authorized') throw new AuthenticationRequired();
      if (condition !== 'not-acceptable' || sessionId === undefined || retried) throw err;
      localStorage.removeItem(SESSION_KEY);
    }
  }
}

/**
 * lib-jitsi-meet's login: a second connection logs in as `username` on `domain`, asks for the room there (the focus
 * opens a session for a user of its authentication domain), and closes. The session id is kept for the page's own
 * connection, whose next request then counts as that user's. A wrong password rejects (SASL `not-authorized`).
 */
export async function logIn(
  websocketUrl: string,
  domain: string,
  focusDomain: string,
  roomJid: string,
  credentials: { username: string; password: string },
): Promise<void> {
  const conn = await XmppConnection.connect(websocketUrl, domain, () => undefined, credentials);
  try {
    const reply = await sendConferenceRequest(conn, focusDomain, roomJid, `login-${Date.now()}`);
    if (reply.sessionId === undefined) throw new Error('the focus opened no session for this user');
  } finally {
    await conn.close();
  }
}
