// What the video tests wait for in a page of the web client: its endpoint id, a remote source decoded at a given
// height with frames still coming, and two pages of either client (ours, lib-jitsi-meet) decoding each other.
import type { BrowserParticipant } from './browser-page.js';
import { waitUntil } from './wait-for.js';

export async function idOf(p: BrowserParticipant): Promise<string> {
  return waitUntil(`${p.name} endpoint id`, () => p.endpointId());
}

/** Waits until `rx` decodes `from`'s video at `height` with frames still rising; returns how long it took (ms). */
export async function decodesAt(
  rx: BrowserParticipant,
  from: string,
  height: number,
  timeoutMs: number,
): Promise<number> {
  const start = Date.now();
  let last: unknown;
  const first = await waitUntil(
    `${rx.name} to decode ${height}p from ${from}`,
    async () => {
      const s = (await rx.inbound())[from];
      last = s;
      return s !== undefined && s.frameHeight === height && s.framesDecoded > 0 ? s : undefined;
    },
    timeoutMs,
    100,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last inbound ${JSON.stringify(last)}`);
  });
  const took = Date.now() - start;
  await waitUntil(
    `${rx.name}: frames from ${from} still decoded`,
    async () => ((await rx.inbound())[from]?.framesDecoded ?? 0) > first.framesDecoded,
    10_000,
    100,
  );
  return took;
}

/** A page of either client: its name and what it receives per endpoint. */
interface DecodingPage {
  readonly name: string;
  inbound(): Promise<Record<string, { framesDecoded: number }>>;
}

/** Waits until each of the two pages has decoded more than 10 video frames from the other (endpoint ids given). */
export async function decodeEachOther(a: DecodingPage, aId: string, b: DecodingPage, bId: string): Promise<void> {
  for (const [p, other] of [
    [a, bId],
    [b, aId],
  ] as const)
    await waitUntil(
      `${p.name} to decode video from the other`,
      async () => ((await p.inbound())[other]?.framesDecoded ?? 0) > 10,
      30_000,
      250,
    );
}
