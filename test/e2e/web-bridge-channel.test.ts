// The bridge channel of the web client: over the SCTP data channel when the focus offers `data` (the default, as
// Jicofo's), over colibri-ws for a page that prefers the WebSocket; the same messages either way.
import { browserSuite } from '../harness/browser-suite.js';
import type { BrowserParticipant } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();

async function endpointId(p: BrowserParticipant): Promise<string> {
  return waitUntil(`${p.name} endpoint id`, () => p.endpointId());
}

/** Waits until `p`'s last ForwardedSources names every other member's camera. */
async function forwardedFrom(p: BrowserParticipant, others: string[]): Promise<string[]> {
  return waitUntil(`${p.name}: ForwardedSources naming ${others.join(', ')}`, async () => {
    const c = await p.bridgeChannel();
    const f = c.forwarded ?? [];
    return others.every((id) => f.includes(`${id}-v0`)) ? f : undefined;
  });
}

describe('web client bridge channel', () => {
  it('opens it over SCTP, gets ForwardedSources and relays endpoint messages; a WebSocket page talks to it', async () => {
    const alice = await suite.join('channel', 'Alice');
    const bob = await suite.join('channel', 'Bob');
    const carol = await suite.join('channel', 'Carol', 'bridgeChannel=websocket');
    const [a, b, c] = await Promise.all([alice, bob, carol].map(endpointId));

    await forwardedFrom(alice, [b!, c!]);
    await forwardedFrom(bob, [a!, c!]);
    await forwardedFrom(carol, [a!, b!]);
    expect((await alice.bridgeChannel()).transport).toBe('datachannel');
    expect((await bob.bridgeChannel()).transport).toBe('datachannel');
    expect((await carol.bridgeChannel()).transport).toBe('websocket');
    // The browser's own view: the data channel is open on Alice's and Bob's peer connections, not on Carol's.
    expect(await alice.dataChannelOpen()).toBe(true);
    expect(await bob.dataChannelOpen()).toBe(true);
    expect(await carol.dataChannelOpen()).toBe(false);
    // The bridge counted both transports.
    const metrics = await suite.stack.bridgeMetrics();
    expect(metrics).toMatch(/convene_bridge_channel_opened_total\{transport="sctp"\} [2-9]/);
    expect(metrics).toMatch(/convene_bridge_channel_opened_total\{transport="websocket"\} [1-9]/);

    // SCTP -> bridge -> WebSocket and WebSocket -> bridge -> SCTP, directed and broadcast.
    expect(await alice.sendEndpointMessage(c!, 'to carol')).toBe(true);
    expect(await carol.sendEndpointMessage('', 'to everyone')).toBe(true);
    await waitUntil("Carol to get Alice's message", async () =>
      (await carol.bridgeChannel()).received.includes('EndpointMessage'),
    );
    await waitUntil("Alice and Bob to get Carol's broadcast", async () => {
      const [x, y] = await Promise.all([alice.bridgeChannel(), bob.bridgeChannel()]);
      return x.received.includes('EndpointMessage') && y.received.includes('EndpointMessage');
    });
    // JVB's stats tell the two transports apart: messages came in and went out on each.
    const stats = (await (await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats`)).json()) as Record<string, number>;
    for (const k of ['data_channel', 'colibri_web_socket'])
      for (const way of ['received', 'sent']) expect(stats[`total_${k}_messages_${way}`]).toBeGreaterThan(0);
  });
});
