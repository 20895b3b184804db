import {
  Ejabberd,
  Prosody,
  findEjabberd,
  findProsody,
  type EjabberdOptions,
  type ProsodyOptions,
  type XmppServer,
  type XmppServerKind,
} from '@convene/xmpp-server';

/** A real Prosody on free loopback ports in a temporary directory; close() removes everything. */
export async function startTestProsody(options: Omit<ProsodyOptions, 'binaries'> = {}): Promise<Prosody> {
  // eslint-disable-next-line no-restricted-properties -- test harness
  const binaries = findProsody(process.env.PATH ?? '');
  if (binaries === undefined)
    throw new Error('prosody is not installed (the integration globalSetup installs it as root)');
  return Prosody.start({ ...options, binaries });
}

/** A real ejabberd (Debian's) the same way. */
export async function startTestEjabberd(options: Omit<EjabberdOptions, 'binaries'> = {}): Promise<Ejabberd> {
  // eslint-disable-next-line no-restricted-properties -- test harness
  const binaries = findEjabberd(process.env.PATH ?? '');
  if (binaries === undefined)
    throw new Error('ejabberd is not installed (the integration globalSetup installs it as root)');
  return Ejabberd.start({ ...options, binaries });
}

/**
 * What both servers take: the accounts and the brewery's owners; Prosody only: more room owners (a client-mode
 * focus) and the occupant limit; ejabberd only: no mod_ping on the auth host.
 */
export type TestServerOptions = Pick<
  ProsodyOptions,
  'accounts' | 'bridgeJids' | 'extraAdmins' | 'maxOccupants' | 'guestDomain' | 'extraComponents'
> &
  Pick<EjabberdOptions, 'withoutPingOnAuthHost'>;

/** Either server, with the Convene layout on free loopback ports. */
export function startTestXmppServer(kind: XmppServerKind, options: TestServerOptions = {}): Promise<XmppServer> {
  const { accounts, bridgeJids, extraAdmins, maxOccupants, guestDomain, extraComponents, withoutPingOnAuthHost } =
    options;
  const common = {
    ...(accounts !== undefined ? { accounts } : {}),
    ...(bridgeJids !== undefined ? { bridgeJids } : {}),
  };
  if (kind === 'prosody') {
    return startTestProsody({
      ...common,
      ...(extraAdmins !== undefined ? { extraAdmins } : {}),
      ...(maxOccupants !== undefined ? { maxOccupants } : {}),
      ...(guestDomain !== undefined ? { guestDomain } : {}),
      ...(extraComponents !== undefined ? { extraComponents } : {}),
    });
  }
  if (extraComponents !== undefined) throw new Error('ejabberd: no extra components');
  if (guestDomain !== undefined) throw new Error('ejabberd: no secure-domain layout');
  if ((extraAdmins ?? []).length > 0) throw new Error('ejabberd: component mode only (no extra room owners)');
  if (maxOccupants !== undefined) throw new Error('ejabberd: no occupant limit module');
  return startTestEjabberd({ ...common, ...(withoutPingOnAuthHost === true ? { withoutPingOnAuthHost } : {}) });
}
