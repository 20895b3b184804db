// The production templates in deploy/: what they must and must never contain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEPLOY = join(import.meta.dirname, '..', '..', '..', 'deploy');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');
const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('deploy/coturn/turnserver.conf', () => {
  const conf = lines(read('coturn/turnserver.conf'));

  it('uses the secret shared with Prosody and a fixed relay range', () => {
    expect(conf).toEqual(expect.arrayContaining(['use-auth-secret', 'min-port=49152', 'max-port=65535']));
    expect(conf.some((l) => l.startsWith('static-auth-secret='))).toBe(true);
  });

  it('never relays to loopback or internal networks', () => {
    expect(conf).not.toContain('allow-loopback-peers');
    for (const range of [
      '10.0.0.0-10.255.255.255',
      '127.0.0.0-127.255.255.255',
      '169.254.0.0-169.254.255.255',
      '172.16.0.0-172.31.255.255',
      '192.168.0.0-192.168.255.255',
      '100.64.0.0-100.127.255.255',
      '::1',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ])
      expect(conf).toContain(`denied-peer-ip=${range}`);
    expect(conf).toContain('no-multicast-peers');
  });
});

describe('deploy/nginx', () => {
  it('proxies the four paths of a Jitsi front and serves the page', () => {
    const locations = read('nginx/convene/locations.conf');
    for (const [path, upstream] of [
      ['location = /xmpp-websocket', 'convene_prosody'],
      ['location = /http-bind', 'convene_prosody'],
      ['location ~ ^/colibri-ws/', 'convene_bridge'],
      ['location = /conference-request/v1', 'convene_focus'],
    ]) {
      const block = locations.slice(locations.indexOf(path ?? ''));
      expect(block.slice(0, block.indexOf('}'))).toContain(`proxy_pass http://${upstream};`);
    }
  });

  it('serves TLS 1.2+ only and never proxies the private HTTP ports', () => {
    const site = read('nginx/convene.conf');
    expect(site).toMatch(/ssl_protocols TLSv1\.2 TLSv1\.3;/);
    const upstreams = read('nginx/convene/upstreams.conf');
    expect(upstreams).not.toMatch(/:8080;/);
  });
});
