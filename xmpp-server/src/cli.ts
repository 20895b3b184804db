// convene-prosody: start a Prosody with the Convene layout until Ctrl-C. Wiring only.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { pino } from 'pino';
import { Domain, LogLevel, Port, loadConfig, loadOrExit } from '@convene/protocol/config';
import { ConveneError } from '@convene/protocol/lib';
import { ensureProsody } from './install.js';
import { Prosody } from './prosody.js';

const CliSchema = z.strictObject({
  domain: Domain.default('meet.localhost'),
  bindAddress: z.string().default('127.0.0.1'),
  /** Left out: a free port. */
  c2sPort: Port.optional(),
  componentPort: Port.optional(),
  httpPort: Port.optional(),
  focusSecret: z.string().min(1).optional(),
  /** `user@host:password`, comma-separated. */
  accounts: z.array(z.string().regex(/^[^@:]+@[^:]+:.+$/, { error: 'expected user@host:password' })).default([]),
  logLevel: LogLevel.default('info'),
});

async function main(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- the one place this CLI reads the environment
  const env = process.env;
  const config = loadOrExit(
    () => loadConfig('prosody', CliSchema, { env, argv: process.argv.slice(2) }).config,
    process,
  );
  const log = pino({ level: config.logLevel });
  try {
    const prosody = await Prosody.start({
      binaries: ensureProsody({ install: false, pathVar: env.PATH ?? '' }),
      domain: config.domain,
      bindAddress: config.bindAddress,
      c2sPort: config.c2sPort,
      componentPort: config.componentPort,
      httpPort: config.httpPort,
      focusSecret: config.focusSecret,
      accounts: config.accounts.map((a) => {
        const [jid = '', ...pw] = a.split(':');
        const [user = '', host = ''] = jid.split('@');
        return { user, host, password: pw.join(':') };
      }),
      log,
    });
    // The secret goes to a file only we can read, never to stdout (terminal scrollback, CI logs, journald).
    const focusSecretFile = join(prosody.dir, 'focus-secret');
    writeFileSync(focusSecretFile, `${prosody.focusSecret}\n`, { mode: 0o600 });
    chmodSync(focusSecretFile, 0o600);
    process.stdout.write(
      `${JSON.stringify({ ports: prosody.ports, layout: prosody.layout, focusSecretFile, dir: prosody.dir })}\n`,
    );
    let stopping = false;
    const stop = () => {
      stopping = true;
      void prosody.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    void prosody.exited.then((code) => {
      if (stopping) return;
      log.error({ code }, 'prosody exited');
      process.exit(1);
    });
  } catch (err) {
    if (err instanceof ConveneError) {
      process.stderr.write(`convene-prosody: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

await main();
