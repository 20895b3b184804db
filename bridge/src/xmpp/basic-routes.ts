import type { Element } from 'ltx';
import { NS_HEALTHCHECK, StanzaFailure, xmlElement } from '@convene/protocol/xml';
import type { BridgeXmpp, IqRequest } from './bridge-xmpp.js';

export const NS_VERSION = 'jabber:iq:version';

export interface BasicRoutesOptions {
  /** Health IQs are answered only for the focus, like Colibri2 (PROTOCOL.md §10). */
  isFromFocus(iq: IqRequest): boolean;
  /** undefined when healthy, else why not. */
  unhealthyReason(): string | undefined;
  version: { name: string; version: string; os: string };
}

/** `healthcheck` (Jicofo's JvbDoctor, PROTOCOL.md §6) and XEP-0092 version. */
export function addBasicRoutes(xmpp: BridgeXmpp, o: BasicRoutesOptions): void {
  xmpp.route('get', NS_HEALTHCHECK, 'healthcheck', (iq) => healthcheck(o, iq));
  xmpp.route('get', NS_VERSION, 'query', () => versionResult(o.version));
}

/** Empty result when healthy; `internal-server-error` makes Jicofo move conferences away. */
export function healthcheck(o: BasicRoutesOptions, iq: IqRequest): undefined {
  if (!o.isFromFocus(iq))
    throw new StanzaFailure('not-authorized', {
      type: 'auth',
      condition: 'not-authorized',
      text: 'Health checks are only answered for the focus',
      extensions: [],
    });
  const reason = o.unhealthyReason();
  if (reason !== undefined)
    throw new StanzaFailure('unhealthy', {
      type: 'cancel',
      condition: 'internal-server-error',
      text: reason,
      extensions: [],
    });
  return undefined;
}

function versionResult(v: BasicRoutesOptions['version']): Element {
  return xmlElement('query', { xmlns: NS_VERSION }, [
    xmlElement('name', {}, [v.name]),
    xmlElement('version', {}, [v.version]),
    xmlElement('os', {}, [v.os]),
  ]);
}
