import { waitUntil } from './wait-for.js';

/** Waits until the focus (its HTTP port) counts `count` bridges in the brewery. */
export async function waitForBridges(focusHttpPort: number, count: number, timeoutMs = 15_000): Promise<void> {
  await waitUntil(
    `the focus to see ${count} bridge(s)`,
    async () => {
      const res = await fetch(`http://127.0.0.1:${focusHttpPort}/stats`).catch(() => undefined);
      if (res?.ok !== true) return false;
      const stats = (await res.json()) as { bridge_selector: { bridge_count: number } };
      return stats.bridge_selector.bridge_count === count;
    },
    timeoutMs,
  );
}
