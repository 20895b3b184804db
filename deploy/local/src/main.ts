// Entry point of `npm start`: wiring only. Reads process.env and argv once, here.
import { loadOrExit } from '@convene/protocol/config';
import { ConveneError } from '@convene/protocol/lib';
import { loadStackConfig } from './config/load.js';
import { createLogger } from './logger.js';
import { startStack } from './stack.js';

async function main(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the environment
  const env = process.env;
  const loaded = loadOrExit(() => loadStackConfig(env, process.argv.slice(2), process.cwd()), process);
  const { config } = loaded;
  const log = createLogger(config.logLevel, config.logFormat);
  if (loaded.created !== undefined) log.info({ file: loaded.created }, 'wrote a first config with fresh secrets');
  if (loaded.tightened !== undefined)
    log.warn({ oldMode: loaded.tightened }, 'config file was readable by others: made it 0600');

  let stack;
  try {
    stack = await startStack(config, log, env.PATH ?? '');
  } catch (err) {
    if (err instanceof ConveneError) {
      log.fatal(err.message);
      log.flush();
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  log.info(stack.urls, 'convene stack is running; Ctrl-C stops it');
  const open = stack.urls['Open in a browser'];
  // The one thing a person needs, on a line of its own (JSON logs stay pure JSON).
  if (config.logFormat === 'pretty' && open !== undefined) {
    setTimeout(() => process.stdout.write(`\n  Convene is running. Open ${open} and pick a room name.\n\n`), 100);
  }

  let stopping = false;
  const stop = (reason: string, exitCode = 0) => {
    if (stopping) {
      log.warn({ reason }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ reason }, 'stopping');
    void stack.close().then(
      () => {
        log.info('stopped');
        process.exitCode = exitCode;
      },
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exitCode = 1;
      },
    );
  };
  // Like systemd's StartLimitAction=exit: a service past its start limit stops the whole stack, exit code 1. A stack
  // running on without its bridge or focus looks alive but cannot hold a call.
  void stack.failed.then((service) => {
    if (stopping) return;
    log.error({ service }, 'a service failed for good; stopping the stack');
    stop('restart limit', 1);
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

process.on('unhandledRejection', (err) => {
  process.stderr.write(`convene-stack: unhandled rejection (a bug): ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
await main();
