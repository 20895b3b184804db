import { isLoopbackAddress } from './loopback.js';

/** Everything the generated Prosody config depends on. */
export interface ProsodyConfigParams {
  /** Client domain, e.g. `meet.localhost`; the other hosts derive from it. */
  domain: string;
  /** Address every listener binds to (loopback by default). */
  bindAddress: string;
  c2sPort: number;
  componentPort: number;
  httpPort: number;
  /** Secret the focus component (XEP-0114) authenticates with. */
  focusSecret: string;
  /** Directory Prosody stores accounts in; the pid file lives beside it. */
  dataDir: string;
  pidFile: string;
  /** Directory of TLS certificates (may be empty: TLS ends in front of Prosody). */
  certificates: string;
  /** Directory holding Convene's own Prosody modules (xmpp-server/prosody-plugins/, copied beside the config). */
  pluginDir?: string;
  /** At most this many occupants per conference room (the focus not counted); absent: no limit. */
  maxOccupants?: number;
  /** Bare JID of the focus's occupant identity, owner of every room. */
  focusJid?: string;
  /** More owners of every room, e.g. `focus@auth.<domain>` for a focus in client mode. */
  extraAdmins?: readonly string[];
  /** Bridge accounts on the auth host (bare JIDs), owners of the brewery and exempt from rate limits. */
  bridgeJids?: readonly string[];
  /**
   * Allow PLAIN over unencrypted c2s (SCRAM with 10k iterations costs ~1 s per login). Only ever on when the c2s
   * listener is loopback, where nobody can sniff it; `false` turns it off there too.
   */
  allowPlainAuth?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** A TURN server sharing `secret` with Prosody (coturn's use-auth-secret): clients get credentials by XEP-0215. */
  turn?: TurnService;
  /**
   * Secure domain (Jitsi's "secure domain" setup, with the focus's `authentication: xmpp`): users log in with a
   * password on `domain`, and guests log in anonymously on this domain, e.g. `guest.meet.localhost`.
   */
  guestDomain?: string;
  /**
   * More XEP-0114 components (tests: a stand-in for one of Jitsi's Prosody components, such as av_moderation, that
   * the focus trusts by its address).
   */
  extraComponents?: readonly ExtraComponent[];
}

/** An external component: its domain and the secret it logs in with. */
export interface ExtraComponent {
  domain: string;
  secret: string;
}

/** A STUN/TURN server as clients reach it; its credentials are derived from the shared secret (TURN REST). */
export interface TurnService {
  /** Address or name clients connect to. */
  host: string;
  /** STUN and TURN over UDP and TCP (coturn's listening-port, 3478). */
  port: number;
  /** TURN over TLS (`turns:`, coturn's tls-listening-port, 5349 or 443); left out: none offered. */
  tlsPort?: number;
  /** coturn's static-auth-secret. */
  secret: string;
  /** How long handed-out credentials stay valid, seconds (default one day, as Jitsi's). */
  ttlSeconds?: number;
}

/** The XEP-0215 section: `mod_external_services` hands each client short-lived credentials (Prosody 0.12). */
function externalServices(t: TurnService | undefined): string {
  if (t === undefined)
    return '-- No TURN server configured: XEP-0215 (extdisco:2) queries are answered service-unavailable.\n';
  const host = luaString(t.host);
  const ttl = t.ttlSeconds ?? 86_400;
  const turn = (type: string, port: number, transport: string) =>
    `    { type = "${type}"; host = ${host}; port = ${port}; transport = "${transport}"; secret = true; ttl = ${ttl}; algorithm = "turn" };`;
  const lines = [
    `    { type = "stun"; host = ${host}; port = ${t.port}; transport = "udp" };`,
    turn('turn', t.port, 'udp'),
    // lib-jitsi-meet keeps only TURN over TCP for the bridge connection unless its useTurnUdp option is set.
    turn('turn', t.port, 'tcp'),
    ...(t.tlsPort === undefined ? [] : [turn('turns', t.tlsPort, 'tcp')]),
  ];
  return `-- TURN (XEP-0215, extdisco:2): time-limited credentials from the secret shared with coturn (use-auth-secret).
external_service_secret = ${luaString(t.secret)}
external_services = {
${lines.join('\n')}
}
`;
}

/** The XMPP addresses of a stack, all derived from the client domain (ARCHITECTURE.md, XMPP layout). */
export interface XmppLayout {
  domain: string;
  authDomain: string;
  mucDomain: string;
  /** Jitsi's breakout rooms (`breakout.<domain>`): a second room service the focus serves. */
  breakoutMucDomain: string;
  internalMucDomain: string;
  focusDomain: string;
  breweryRoom: string;
  focusJid: string;
}

export function xmppLayout(domain: string): XmppLayout {
  const authDomain = `auth.${domain}`;
  const internalMucDomain = `internal.${authDomain}`;
  const focusDomain = `focus.${domain}`;
  return {
    domain,
    authDomain,
    mucDomain: `conference.${domain}`,
    breakoutMucDomain: `breakout.${domain}`,
    internalMucDomain,
    focusDomain,
    breweryRoom: `jvbbrewery@${internalMucDomain}`,
    focusJid: `focus@${focusDomain}`,
  };
}

/** Renders a Lua string literal; every value from config passes through here. */
export function luaString(value: string): string {
  return `"${value.replace(/[\\"\n\r\0]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\0': '\\0' })[c] as string)}"`;
}

function luaList(values: readonly string[]): string {
  return `{ ${values.map(luaString).join('; ')} }`;
}

/**
 * Writes prosody.cfg.lua for the Convene layout (PROTOCOL.md §1.3) using stock Prosody 0.12 modules only.
 * Where Jitsi relies on its own Lua plugins, the comment in the output says what Convene does instead.
 */
export function buildProsodyConfig(p: ProsodyConfigParams): string {
  const l = xmppLayout(p.domain);
  const focusJids = [p.focusJid ?? l.focusJid, ...(p.extraAdmins ?? [])];
  // Conference and breakout rooms alike: only the focus creates them, never locked, real JIDs shown.
  const roomRules = `    restrict_room_creation = true
    muc_room_locking = false
    muc_room_default_public_jids = true
    muc_room_default_public = false
    component_admins_as_room_owners = true
    muc_tombstones = false
    admins = ${luaList(focusJids)}`;
  const bridges = p.bridgeJids ?? [`jvb@${l.authDomain}`];
  const bind = luaList([p.bindAddress]);
  const plainAuth = isLoopbackAddress(p.bindAddress) && (p.allowPlainAuth ?? true);
  const browserModules = p.turn === undefined ? '"smacks"' : '"smacks"; "external_services"';
  return `-- Generated by Convene (xmpp-server/src/prosody-config.ts). Edits are overwritten.
-- Layout: PROTOCOL.md section 1. Stock Prosody modules, plus two small ones of Convene's own
-- (xmpp-server/prosody-plugins/) for what clients read from Jitsi's plugins: the meeting id and the occupant limit.
pidfile = ${luaString(p.pidFile)}
data_path = ${luaString(p.dataDir)}
certificates = ${luaString(p.certificates)}
plugin_paths = ${luaList(p.pluginDir !== undefined ? [p.pluginDir] : [])}
log = { { levels = { min = ${luaString(p.logLevel ?? 'info')} }, to = "console" } }

interfaces = ${bind}
local_interfaces = ${bind}
c2s_ports = { ${p.c2sPort} }
c2s_interfaces = ${bind}
component_ports = { ${p.componentPort} }
component_interfaces = ${bind}
http_ports = { ${p.httpPort} }
http_interfaces = ${bind}
https_ports = { }
-- No federation: a conferencing stack talks to its own hosts only.
s2s_ports = { }

modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "posix"; "bosh"; "websocket" }
modules_disabled = { "s2s"; "offline" }
c2s_require_encryption = false
s2s_require_encryption = false
-- PLAIN without TLS sends the password in clear: only when every c2s listener is loopback.
allow_unencrypted_plain_auth = ${plainAuth}
-- Browsers reach BOSH and WebSocket from the web client's origin; TLS ends in front (nginx) in production.
-- (CORS is on by default for both in Prosody 0.12.)
consider_bosh_secure = true
consider_websocket_secure = true
http_default_host = ${luaString(p.domain)}
-- Bridges send presence stats every few seconds and must never be throttled (Jitsi: limits_exception).
unlimited_jids = ${luaList(bridges)}
${externalServices(p.turn)}
${
  p.guestDomain === undefined
    ? `-- Browser clients: anonymous, as jitsi-meet's default.
VirtualHost ${luaString(p.domain)}
    authentication = "anonymous"`
    : `-- Secure domain: users log in here with a password (prosodyctl register <user> ${p.domain} <password>);
-- only they may create rooms (the focus's authentication: xmpp). Guests log in anonymously on ${p.guestDomain}.
VirtualHost ${luaString(p.domain)}
    authentication = "internal_hashed"
    modules_enabled = { ${browserModules} }

VirtualHost ${luaString(p.guestDomain)}
    authentication = "anonymous"`
}
    -- Stream management lets browsers resume after a network blip. Service accounts go without it: they
    -- reconnect and rejoin anyway, and xmpp.js 0.14 miscounts acks when stanzas race its <enabled/>.
    modules_enabled = { ${browserModules} }

-- Service accounts (bridges) log in with passwords.
VirtualHost ${luaString(l.authDomain)}
    authentication = "internal_hashed"

-- Conference rooms. Only the focus (an admin of this host, hence owner of every room) may create them,
-- rooms are never locked waiting for configuration, and occupants see each other's real JIDs (whois=anyone).
-- Each room gets its meeting id from mod_convene_meeting_id when created: the focus reads it from the room's
-- configuration form, clients from disco#info (muc#roominfo_meetingId). mod_convene_max_occupants: "room full".
Component ${luaString(l.mucDomain)} "muc"
    storage = "memory"${
      p.pluginDir !== undefined
        ? `
    modules_enabled = { "convene_meeting_id"; "convene_max_occupants" }${
      p.maxOccupants !== undefined ? `\n    muc_max_occupants = ${Math.floor(p.maxOccupants)}` : ''
    }
    muc_max_occupants_exempt = ${luaList(focusJids)}`
        : ''
    }
${roomRules}

-- Breakout rooms, as in jitsi-meet's config (there with its muc_breakout_rooms module, which creates them and gives
-- them the main room's moderators): rooms the focus creates and joins as it does the conference rooms.
Component ${luaString(l.breakoutMucDomain)} "muc"
    storage = "memory"
${roomRules}

-- The brewery: bridges publish their load here and the focus watches. Jitsi keeps strangers out with its
-- muc_filter_access plugin; stock Prosody does it with two options. Only the service accounts (the admins below)
-- may create a room here, and every room is members-only: an unaffiliated JID (an anonymous browser, any other
-- account) is refused with registration-required. The admins are owners of every room, hence let in.
-- Real JIDs are shown (whois=anyone): the focus and the bridges check each other's account, not the nick.
Component ${luaString(l.internalMucDomain)} "muc"
    storage = "memory"
    restrict_room_creation = true
    muc_room_default_members_only = true
    muc_room_locking = false
    muc_room_default_public_jids = true
    muc_room_default_public = false
    component_admins_as_room_owners = true
    muc_tombstones = false
    admins = ${luaList([...focusJids, ...bridges])}

-- The focus connects as an external component (XEP-0114) and owns the whole focus domain.
Component ${luaString(l.focusDomain)}
    component_secret = ${luaString(p.focusSecret)}
${(p.extraComponents ?? []).map((c) => `\nComponent ${luaString(c.domain)}\n    component_secret = ${luaString(c.secret)}\n`).join('')}`;
}
