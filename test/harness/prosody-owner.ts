// Run by the lifecycle test as a separate process: starts Prosody, reports it, then waits to be killed.
import { startTestProsody } from './prosody.js';

const prosody = await startTestProsody();
process.stdout.write(`${JSON.stringify({ pid: prosody.pid, dir: prosody.dir, c2s: prosody.ports.c2s })}\n`);
setInterval(() => undefined, 1_000);
