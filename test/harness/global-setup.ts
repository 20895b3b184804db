// Integration tests need Debian's Prosody: install it when we are root (CI), else say how.
import { ensureProsody, sweepStaleRunDirs } from '@convene/xmpp-server';

export default function globalSetup(): void {
  // eslint-disable-next-line no-restricted-properties -- test harness entry point
  ensureProsody({ install: true, pathVar: process.env.PATH ?? '' });
  sweepStaleRunDirs();
}
