import type { XmppLayout } from './prosody-config.js';

/** Which XMPP server a stack runs on. Prosody is the default; ejabberd is supported in component mode only. */
export type XmppServerKind = 'prosody' | 'ejabberd';
export const XMPP_SERVER_KINDS = ['prosody', 'ejabberd'] as const satisfies readonly XmppServerKind[];

/** A password account on one of the stack's hosts, e.g. the bridge's `jvb@auth.<domain>`. */
export interface Account {
  user: string;
  host: string;
  password: string;
}

export interface XmppServerPorts {
  c2s: number;
  component: number;
  http: number;
}

/** What the stack (focus, bridges, web, tests) needs of a running XMPP server, whichever it is. */
export interface XmppServer {
  readonly kind: XmppServerKind;
  readonly layout: XmppLayout;
  readonly ports: XmppServerPorts;
  readonly bindAddress: string;
  /** Secret of the focus component (XEP-0114). */
  readonly focusSecret: string;
  /** Where config and data live. */
  readonly dir: string;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<number | null>;
  readonly pid: number | undefined;
  /** XMPP over WebSocket, as browsers use it. */
  readonly websocketUrl: string;
  readonly boshUrl: string;
  /** Adds or replaces a password account while running. */
  register(account: Account): void | Promise<void>;
  /** Stops the server and removes a temporary directory. Safe to call twice. */
  close(): Promise<void>;
}
