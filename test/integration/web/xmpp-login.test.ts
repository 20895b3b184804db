// The page's XMPP connection (web/src/xmpp/xmpp-connection.ts, run in node with ws as the WebSocket) against a real
// Prosody: a password login works, and a refused one closes its WebSocket. Before, each wrong password left one
// stream open at Prosody (xmpp.js keeps the socket after a SASL failure), so a guest retrying its login leaked them.
import { execFileSync } from 'node:child_process';
import { WebSocket } from 'ws';
import type { Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../../harness/prosody.js';
import { waitUntil } from '../../harness/wait-for.js';
import { XmppConnection } from '../../../web/src/xmpp/xmpp-connection.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let prosody: Prosody;
beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'alice', host: 'auth.meet.localhost', password: 'right' }] });
});
afterAll(async () => prosody?.close());

/** Established TCP connections to Prosody's HTTP port (WebSocket streams), from the kernel's table. */
function streams(): number {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `dport = :${prosody.ports.http}`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

test('a refused login closes its WebSocket; a right one logs in', async () => {
  const before = streams();
  for (let i = 0; i < 3; i++)
    await expect(
      XmppConnection.connect(prosody.websocketUrl, 'auth.meet.localhost', () => undefined, {
        username: 'alice',
        password: 'wrong',
      }),
    ).rejects.toMatchObject({ condition: 'not-authorized' });
  await waitUntil('the refused streams to close', () => streams() === before, 5_000, 50);
  const ok = await XmppConnection.connect(prosody.websocketUrl, 'auth.meet.localhost', () => undefined, {
    username: 'alice',
    password: 'right',
  });
  expect(ok.jid).toMatch(/^alice@auth\.meet\.localhost\//);
  expect(streams()).toBe(before + 1);
  await ok.close();
}, 30_000);
