/**
 * Who asked for a conference, as far as the focus can tell. Over XMPP the focus (a component) sees only the
 * sender's JID, never its IP address; over HTTP, the client address (see focus/src/http/client-address.ts).
 */
export type Requester = { kind: 'xmpp'; jid: string } | { kind: 'http'; address: string };

/**
 * The new-conference limits a requester counts against: its own key, and its anonymous domain's if any. Behind
 * Jitsi's client_proxy (`clientProxy`, the `focus.<domain>` component in client mode) a request comes from
 * `focus.<domain>/<sender's full JID>`: the proxy vouches for the resource, which is then the requester.
 */
export function limitKeysOf(
  r: Requester,
  anonymousDomains: ReadonlySet<string>,
  clientProxy?: string,
): { requester: string; anonymousDomain?: string } {
  // An IPv6 host usually holds a whole /64: any address in it is free to take.
  if (r.kind === 'http') return { requester: `http:${r.address.includes(':') ? ipv6Prefix64(r.address) : r.address}` };
  const sender = senderJidOf(r, clientProxy)!;
  const bare = sender.split('/')[0] ?? '';
  const domain = domainOf(sender);
  // An anonymous JID is free to renew (a new connection is a new JID): only the domain is stable.
  return anonymousDomains.has(domain)
    ? { requester: `xmpp:${bare}`, anonymousDomain: domain }
    : { requester: `xmpp:${bare}` };
}

/** The full JID that sent an XMPP request (the one behind the client_proxy when proxied); undefined over HTTP. */
export function senderJidOf(r: Requester, clientProxy?: string): string | undefined {
  if (r.kind === 'http') return undefined;
  const slash = r.jid.indexOf('/');
  const proxied = slash > 0 && r.jid.slice(0, slash).toLowerCase() === clientProxy;
  return proxied ? r.jid.slice(slash + 1) : r.jid;
}

/** The domain of a JID (bare or full), lowercased. */
export function domainOf(jid: string): string {
  const bare = jid.split('/')[0] ?? '';
  return bare.slice(bare.indexOf('@') + 1).toLowerCase();
}

/** The /64 an IPv6 address is in, e.g. `2001:db8:0:1::/64`. */
export function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('::');
  const groups = (part: string): string[] =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
