import { Prosody, findProsody, type ProsodyOptions } from '@convene/xmpp-server';

/** A real Prosody on free loopback ports in a temporary directory; close() removes everything. */
export async function startTestProsody(options: Omit<ProsodyOptions, 'binaries'> = {}): Promise<Prosody> {
  // eslint-disable-next-line no-restricted-properties -- test harness
  const binaries = findProsody(process.env.PATH ?? '');
  if (binaries === undefined)
    throw new Error('prosody is not installed (the integration globalSetup installs it as root)');
  return Prosody.start({ ...options, binaries });
}
