/** What the page needs to know about the stack; served by the web server as `/config.json`. */
export interface RuntimeConfig {
  /** Client domain: anonymous login happens here, unless `anonymousDomain` is set (then password logins). */
  domain: string;
  /** Secure domain: where the page logs in anonymously (jitsi-meet's `hosts.anonymousdomain`). */
  anonymousDomain?: string;
  /** Where conference requests go (`focus.<domain>`). */
  focusDomain: string;
  /** The rooms' MUC service (`conference.<domain>`). */
  mucDomain: string;
  /** XMPP over WebSocket; a path (`/xmpp-websocket`) is taken relative to the page's origin. */
  websocketUrl: string;
  /** Video codec the page asks the browser to send first (lowercase, e.g. `vp8`). */
  preferredVideoCodec: string;
  /** Bridge channel over the SCTP data channel when the focus offers one (lib-jitsi-meet's `bridgeChannel.preferSctp`). */
  preferSctp: boolean;
}

/** Checks the JSON of `/config.json` and resolves a relative WebSocket URL against the page origin. */
export function parseRuntimeConfig(raw: unknown, pageUrl: string): RuntimeConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('config.json is not an object');
  const o = raw as Record<string, unknown>;
  const str = (key: string, fallback?: string): string => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'string' || v === '') throw new Error(`config.json: "${key}" must be a non-empty string`);
    return v;
  };
  const domain = str('domain');
  return {
    domain,
    ...(o.anonymousDomain === undefined ? {} : { anonymousDomain: str('anonymousDomain') }),
    focusDomain: str('focusDomain', `focus.${domain}`),
    mucDomain: str('mucDomain', `conference.${domain}`),
    websocketUrl: toWebSocketUrl(str('websocketUrl', '/xmpp-websocket'), pageUrl),
    preferredVideoCodec: str('preferredVideoCodec', 'vp8').toLowerCase(),
    preferSctp: o.preferSctp === undefined ? true : o.preferSctp === true,
  };
}

/** `/path` -> `ws(s)://<page host>/path`; absolute ws(s) URLs pass through. */
export function toWebSocketUrl(url: string, pageUrl: string): string {
  const u = new URL(url, pageUrl);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}
