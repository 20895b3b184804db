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

/** What both servers take: the accounts, the brewery's owners, more room owners (Prosody only: client-mode focus). */
export type TestServerOptions = Pick<ProsodyOptions, 'accounts' | 'bridgeJids' | 'extraAdmins'> &
  Pick<EjabberdOptions, 'withoutPingOnAuthHost'>;

/** Either server, with the Convene layout on free loopback ports. */
export function startTestXmppServer(kind: XmppServerKind, options: TestServerOptions = {}): Promise<XmppServer> {
  if (kind === 'prosody') {
    const { withoutPingOnAuthHost: _unused, ...rest } = options;
    return startTestProsody(rest);
  }
  if ((options.extraAdmins ?? []).length > 0) throw new Error('ejabberd: component mode only (no extra room owners)');
  const { extraAdmins: _none, ...rest } = options;
  return startTestEjabberd(rest);
}
