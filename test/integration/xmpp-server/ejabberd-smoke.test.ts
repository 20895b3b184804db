import { BridgeProcess } from '../../harness/bridge-process.js';
import { joinBreweryAsFocus } from '../../harness/bridge-focus.js';
import { startTestEjabberd } from '../../harness/prosody.js';

it('smoke', async () => {
  const s = await startTestEjabberd({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'pw' }] });
  try {
    const focus = await joinBreweryAsFocus(s);
    const bridge = await BridgeProcess.start({ prosody: s, password: 'pw' });
    try {
      await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
    } finally {
      console.log(bridge.logs.slice(-10), focus.peer.received.map((e) => e.toString()).join('\n'));
      await bridge.close();
      await focus.peer.close();
    }
  } finally {
    await s.close();
  }
}, 60_000);
