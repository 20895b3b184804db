/**
 * Who may act as a service (a bridge, the focus), by real JID. An entry is a full JID (`jvb@auth.x/jvb1`: that
 * resource only), a bare JID (`jvb@auth.x`: any resource) or a domain (`focus.x`: any JID there, e.g. a component,
 * which alone can send from its domain). Local part and domain compare case-insensitively (XMPP nodeprep/nameprep
 * fold case), the resource exactly.
 */
export class JidAllowList {
  readonly entries: readonly string[];
  readonly #full = new Set<string>();
  readonly #bare = new Set<string>();
  readonly #domains = new Set<string>();

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const jid = splitJid(entry);
      if (jid.resource !== undefined) this.#full.add(`${jid.bare}/${jid.resource}`);
      else if (jid.local !== undefined) this.#bare.add(jid.bare);
      else this.#domains.add(jid.domain);
    }
  }

  /** Whether this real JID (undefined when the room hides it) may act as the service. */
  allows(jid: string | undefined): boolean {
    if (jid === undefined || jid === '') return false;
    const j = splitJid(jid);
    return (
      this.#domains.has(j.domain) ||
      this.#bare.has(j.bare) ||
      (j.resource !== undefined && this.#full.has(`${j.bare}/${j.resource}`))
    );
  }
}

interface SplitJid {
  local: string | undefined;
  domain: string;
  /** `local@domain` or `domain`, lowercased. */
  bare: string;
  resource: string | undefined;
}

function splitJid(jid: string): SplitJid {
  const slash = jid.indexOf('/');
  const bareRaw = slash === -1 ? jid : jid.slice(0, slash);
  const resource = slash === -1 ? undefined : jid.slice(slash + 1);
  const bare = bareRaw.toLowerCase();
  const at = bare.indexOf('@');
  return {
    local: at === -1 ? undefined : bare.slice(0, at),
    domain: at === -1 ? bare : bare.slice(at + 1),
    bare,
    resource,
  };
}
