import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const WEB = join(import.meta.dirname, '..');

/** A file the server hands out. */
export interface Asset {
  type: string;
  body: Buffer;
}

// @xmpp/resolve imports node:dns for SRV lookups; its package.json "browser" field misses the `.js` path.
// The page always names its WebSocket URL, so DNS is never needed: an empty module stands in.
const noNodeDns: Plugin = {
  name: 'no-node-dns',
  setup(b) {
    b.onResolve({ filter: /^(node:)?dns$/ }, () => ({ path: 'dns', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default {};', loader: 'js' }));
  },
};

/** Bundles web/src/main.ts for browsers with esbuild (in memory) and reads the static files. */
export async function buildAssets(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: [join(WEB, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    sourcemap: 'linked',
    minify: true,
    write: false,
    outdir: '/',
    plugins: [noNodeDns],
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  for (const f of result.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/'));
    const type = name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8';
    assets.set(name === '/main.js' ? '/app.js' : name === '/main.js.map' ? '/main.js.map' : name, {
      type,
      body: Buffer.from(f.contents),
    });
  }
  for (const [name, type] of [
    ['index.html', 'text/html; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
  ] as const)
    assets.set(`/${name}`, { type, body: await readFile(join(WEB, 'static', name)) });
  return assets;
}
