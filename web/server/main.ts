// convene-web: wiring only. Reads process.env and argv once, here.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { configSources, loadConfig, loadOrExit } from '@convene/protocol/config';
import { WebConfigSchema } from './schema.js';
import { buildAssets } from './bundle.js';
import { WebServer } from './web-server.js';

const APP = 'web';

function readConfig() {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the environment
  const sources = configSources(APP, process.env, process.argv.slice(2), (path) => readFileSync(path, 'utf8'));
  return loadConfig(APP, WebConfigSchema, sources).config;
}

const config = loadOrExit(readConfig, process);
const log = pino({ level: config.logLevel });
process.on('unhandledRejection', (err) => {
  log.fatal({ err }, 'unhandled rejection (a bug)');
  process.exit(1);
});
let server: WebServer;
try {
  const started = performance.now();
  const assets = await buildAssets();
  const bundleMs = Math.round(performance.now() - started);
  server = await WebServer.start(config, assets, log);
  log.info({ url: server.url, bundleMs, bytes: assets.get('/app.js')?.body.length }, 'web ready');
} catch (err) {
  log.fatal({ err }, 'web server could not start');
  process.exit(1);
}
let stopping = false;
const stop = (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'stopping');
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
