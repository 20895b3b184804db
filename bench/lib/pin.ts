// bench --pin: the server under test alone on the last core, the bench and its load processes on the others.
// On a 2-core machine the load peers otherwise take turns with the bridge on both cores, and the bridge's delay
// then measures the scheduler as much as the bridge (13-35 % of its time waiting for a CPU in session 7's runs).
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

let pinning = false;

function taskset(pid: number, list: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`--pin: taskset could not pin process ${pid} to CPU ${list}: ${(err as Error).message}`);
  }
}

/** Turns pinning on: this process (and so what it forks from now on) moves to every core but the last. */
export function startPinning(): void {
  const n = cpus().length;
  if (n < 2) throw new Error('--pin needs at least 2 cores');
  pinning = true;
  taskset(process.pid, loadCores());
}

function loadCores(): string {
  const n = cpus().length;
  return n === 2 ? '0' : `0-${n - 2}`;
}

/** The server under test (and all its threads) to the last core, when pinning. */
export function pinServer(pid: number): void {
  if (pinning) taskset(pid, String(cpus().length - 1));
}
