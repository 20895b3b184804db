// Last-N 1 and the dominant speaker (issue #16) in Chromium: four pages of the web client with a continuous tone as
// their microphone; only the unmuted one speaks. Each receiver decodes video from the dominant speaker only, and
// when another page takes over, the speaker event and the forwarded video follow.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { BrowserParticipant, CHROMIUM_ARGS, launchChromium } from '../harness/browser-page.js';
import { browserSuite } from '../harness/browser-suite.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();
let browser: Browser | undefined;
const pages: BrowserParticipant[] = [];

/** 10 s of a 440 Hz tone at about -12 dBFS, 48 kHz mono 16-bit: speech as far as audio levels go. */
function toneWav(): string {
  const rate = 48_000;
  const n = rate * 10;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  const path = join(mkdtempSync(join(tmpdir(), 'convene-tone-')), 'tone.wav');
  writeFileSync(path, b);
  return path;
}

beforeAll(async () => {
  browser = await launchChromium([...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${toneWav()}`]);
});
afterAll(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close()));
  await browser?.close();
});

async function setMuted(p: BrowserParticipant, muted: boolean): Promise<void> {
  const label = await p.page.textContent('button.mic');
  if ((label === 'Unmute') !== muted) await p.page.click('button.mic');
}

/** Endpoints whose video `rx` decoded frames of during the next half second. */
async function decodingFrom(rx: BrowserParticipant): Promise<string[]> {
  const before = await rx.inbound();
  await new Promise((r) => setTimeout(r, 500));
  const after = await rx.inbound();
  return Object.keys(after).filter((id) => (after[id]?.framesDecoded ?? 0) > (before[id]?.framesDecoded ?? 0));
}

async function dominantTile(p: BrowserParticipant): Promise<string | undefined> {
  return p.page.$eval('body', (b) => b.querySelector<HTMLElement>('.tile.dominant')?.dataset.endpoint);
}

describe('last-N 1 with the dominant speaker (Chromium, web client)', () => {
  it('forwards only the dominant speaker’s video and follows a new speaker', async () => {
    const names = ['Ann', 'Bob', 'Cid', 'Dee'];
    for (const n of names)
      pages.push(await BrowserParticipant.join(browser!, suite.stack.webUrl, 'lastn', n, 'lastN=1&resolution=180'));
    const ids = await Promise.all(pages.map((p) => waitUntil(`${p.name} id`, () => p.endpointId())));
    const [ann, , cid] = pages as [BrowserParticipant, BrowserParticipant, BrowserParticipant, BrowserParticipant];
    await Promise.all(pages.slice(1).map((p) => setMuted(p, true)));

    const followed = async (speaker: BrowserParticipant, speakerId: string): Promise<number> => {
      const start = Date.now();
      const each = pages
        .filter((p) => p !== speaker)
        .map(async (rx) => {
          let seen = '';
          await waitUntil(
            `${rx.name} to see ${speaker.name} as dominant and decode only that video`,
            async () => {
              const [d, from] = [await dominantTile(rx), await decodingFrom(rx)];
              seen = `dominant ${d}, decoding ${from.join()}`;
              return d === speakerId && from.join() === speakerId;
            },
            30_000,
            100,
          ).catch((err: unknown) => {
            throw new Error(`${(err as Error).message} (last: ${seen}; ids ${ids.join()})`);
          });
        });
      await Promise.all(each);
      // Includes up to one half-second sampling window.
      return Date.now() - start;
    };
    const first = await followed(ann, ids[0]!);
    await setMuted(ann, true);
    await setMuted(cid, false);
    const handover = await followed(cid, ids[2]!);
    process.stdout.write(`last-N 1: first speaker after ${first} ms, handover to the next in ${handover} ms\n`);
  }, 180_000);
});
