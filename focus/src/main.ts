// convene-focus: wiring only. Reads process.env and argv once, here.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { configSources, loadConfig, loadOrExit } from '@convene/protocol/config';
import { FocusConfigSchema } from './config/schema.js';
import { FocusApp } from './focus-app.js';

const APP = 'focus';

function readConfig() {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the environment
  const sources = configSources(APP, process.env, process.argv.slice(2), (path) => readFileSync(path, 'utf8'));
  return loadConfig(APP, FocusConfigSchema, sources).config;
}

const config = loadOrExit(readConfig, process);
const log = pino({
  level: config.logLevel,
  redact: { paths: ['componentSecret', '*.password', 'password'], censor: '[redacted]' },
});
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection (a bug)');
  process.exit(1);
});
let app: FocusApp;
try {
  app = await FocusApp.start(config, log);
} catch (err) {
  log.fatal({ err }, 'focus could not start');
  process.exit(1);
}
let stopping = false;
const stop = (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'stopping');
  void app.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
