import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** A Convene process (focus, bridge) run from source the way `npm start` runs it, with its JSON log captured. */
export class AppProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(entry: string, env: Record<string, string>, args: string[] = []) {
    // PR_SET_PDEATHSIG (setpriv execs in place): a test process that dies takes its services with it.
    this.child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, '--import', 'tsx', entry, ...args], {
      // eslint-disable-next-line no-restricted-properties -- the child needs PATH and nothing else of ours
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let buffered = '';
    const onData = (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The first JSON log line whose msg is `msg` (and whose fields include `fields`), waiting up to `timeoutMs`. */
  async logLine(
    msg: string,
    timeoutMs = 45_000,
    fields: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const l of this.lines) {
        if (!l.startsWith('{')) continue;
        const entry = JSON.parse(l) as Record<string, unknown>;
        if (entry.msg === msg && Object.entries(fields).every(([k, v]) => entry[k] === v)) return entry;
      }
      if (this.child.exitCode !== null)
        throw new Error(
          `process exited (${this.child.exitCode}) before "${msg}":\n${this.lines.slice(-20).join('\n')}`,
        );
      if (Date.now() > deadline)
        throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
