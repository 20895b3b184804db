// Conference requests the focus refuses before doing anything (PROTOCOL.md §2): rooms that are not valid room JIDs,
// and floods of requests for fresh room names from one requester.
import { startFocusStack, type FocusStack } from '../../harness/focus-stack.js';

/** New conferences one requester may create per minute in this file's focus. */
const FLOOD_LIMIT = 4;

describe.each(['component', 'client'] as const)('focus connected as %s', (mode) => {
  let stack: FocusStack;

  beforeAll(async () => {
    stack = await startFocusStack(mode, {
      CONVENE_FOCUS_NEW_CONFERENCES_PER_REQUESTER: String(FLOOD_LIMIT),
      CONVENE_FOCUS_NEW_CONFERENCE_WINDOW_MS: '60000',
    });
  });
  afterEach(async () => {
    await stack.closeParticipants();
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe('focus: conference request limits', () => {
    it('refuses a room that is not a valid room JID with bad-request (HTTP 400), and serves valid ones', async () => {
      const eve = await stack.participant('e6e6e6e6');
      const focusHttp = stack.focusHttp;
      // Not a valid room JID (RFC 7622 nodeprep): refused at once, no MUC join attempted.
      for (const name of ['two words', 'a"b', 'a&b', "o'neil", 'a<b>', 'a:b', 'x'.repeat(1024)])
        await expect(eve.requestConference(`${name}@conference.meet.localhost`)).rejects.toMatchObject({
          condition: 'bad-request',
        });
      const res = await fetch(`http://127.0.0.1:${focusHttp}/conference-request/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ room: 'no spaces please@conference.meet.localhost' }),
      });
      expect(res.status).toBe(400);
      expect((await eve.requestConference('fine@conference.meet.localhost')).ready).toBe(true);
    });

    it('refuses a flood of new conferences from one requester, and still answers for existing rooms', async () => {
      const flooder = await stack.participant('f100d001');
      for (let i = 0; i < FLOOD_LIMIT; i++)
        expect((await flooder.requestConference(`flood${i}@conference.meet.localhost`)).ready).toBe(true);
      await expect(flooder.requestConference('flood-over@conference.meet.localhost')).rejects.toMatchObject({
        condition: 'resource-constraint',
      });
      expect((await flooder.requestConference('flood0@conference.meet.localhost')).ready).toBe(true);
      // Someone else is not held back by the flooder.
      const other = await stack.participant('0f100d02');
      expect((await other.requestConference('flood-over@conference.meet.localhost')).ready).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${stack.focusHttp}/metrics`)).text();
      expect(metrics).toMatch(/^convene_focus_conference_requests_refused_total 1$/m);
    });
  });
});
