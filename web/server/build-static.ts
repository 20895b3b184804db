// `npm run build:web -- --out <dir> [--domain <domain>]`: the page as plain files for a production front
// (deploy/nginx): the bundle, index.html, style.css and config.json. Any other web option (`--muc-domain`...) works
// as with the web server. Reads process.argv once, here.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSources, loadConfig, loadOrExit } from '@convene/protocol/config';
import { buildAssets } from './bundle.js';
import { WebConfigSchema } from './schema.js';
import { runtimeConfig } from './web-server.js';

// eslint-disable-next-line no-restricted-properties -- the one place that reads the environment
const env = process.env;
const argv = process.argv.slice(2);
const at = argv.indexOf('--out');
const out = at === -1 ? undefined : argv[at + 1];
if (out === undefined || out.startsWith('--')) {
  process.stderr.write('usage: build-static --out <dir> [--domain <domain>] [other web options]\n');
  process.exit(2);
}
argv.splice(at, 2);
const config = loadOrExit(
  () =>
    loadConfig(
      'web',
      WebConfigSchema,
      configSources('web', env, argv, (p) => readFileSync(p, 'utf8')),
    ).config,
  process,
);
mkdirSync(out, { recursive: true });
const assets = await buildAssets();
for (const [name, asset] of assets) writeFileSync(join(out, name), asset.body);
writeFileSync(join(out, 'config.json'), runtimeConfig(config));
process.stdout.write(`wrote ${assets.size + 1} files to ${out}\n`);
