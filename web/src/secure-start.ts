import type { RuntimeConfig } from './config/runtime-config.js';
import { AuthenticationRequired, logIn } from './xmpp/conference-request.js';
import type { ConferenceRoom } from './xmpp/conference-room.js';
import { LoginPrompt } from './ui/login-view.js';

/** How often a waiting page asks again whether a host started the meeting (jitsi-meet: 5 s). */
const WAIT_FOR_HOST_MS = 5000;

/**
 * The conference request, and on a secure domain (`anonymousDomain` set) what jitsi-meet does when the focus
 * answers that a logged-in user must start the meeting: a login form, and a new request every 5 s meanwhile. A
 * login (a second connection as that user, conference-request.ts) makes the page's next request the user's. Resolves
 * once the focus is in the room; rejects as the request does otherwise (or when the page leaves).
 */
export async function requestOrLogIn(
  room: ConferenceRoom,
  config: RuntimeConfig,
  root: HTMLElement,
  signal: AbortSignal,
  status: (text: string) => void,
): Promise<void> {
  let prompt: LoginPrompt | undefined;
  let submitted: Promise<{ username: string; password: string }> | undefined;
  try {
    for (;;) {
      try {
        await room.requestConference(config.focusDomain, signal);
        return;
      } catch (err) {
        if (!(err instanceof AuthenticationRequired) || config.anonymousDomain === undefined || signal.aborted)
          throw err;
      }
      status('Waiting for a host to start the meeting…');
      prompt ??= new LoginPrompt(root);
      submitted ??= prompt.next();
      const wait = new Promise<undefined>((r) => setTimeout(r, WAIT_FOR_HOST_MS, undefined));
      const credentials = await Promise.race([submitted, wait]);
      if (credentials === undefined) continue;
      submitted = undefined;
      prompt.busy(true);
      try {
        await logIn(config.websocketUrl, config.domain, config.focusDomain, room.roomJid, credentials);
      } catch (err) {
        const condition = (err as { condition?: string }).condition;
        prompt.error(
          condition === 'not-authorized'
            ? 'Wrong user name or password.'
            : `Could not log in (${condition ?? (err as Error).message ?? String(err)}).`,
        );
      } finally {
        prompt.busy(false);
      }
      if (signal.aborted) throw new Error('left while logging in');
    }
  } finally {
    prompt?.close();
  }
}
