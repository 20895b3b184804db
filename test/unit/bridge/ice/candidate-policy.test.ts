import { refuseCandidate } from '@convene/bridge/ice';

describe('refuseCandidate', () => {
  it.each([
    ['192.0.2.7', false, undefined],
    ['10.1.2.3', false, undefined],
    ['172.16.0.1', false, undefined],
    ['203.0.113.250', false, undefined],
    ['127.0.0.1', false, 'local'],
    ['127.8.9.10', false, 'local'],
    ['169.254.10.20', false, 'local'],
    ['127.0.0.1', true, undefined],
    ['169.254.10.20', true, undefined],
    ['0.0.0.0', true, 'not-unicast'],
    ['0.1.2.3', true, 'not-unicast'],
    ['224.0.0.251', true, 'not-unicast'],
    ['239.255.255.250', true, 'not-unicast'],
    ['255.255.255.255', true, 'not-unicast'],
    ['localhost', true, 'not-ipv4-literal'],
    ['abcd-1234.local', true, 'not-ipv4-literal'],
    ['example.com', true, 'not-ipv4-literal'],
    ['::1', true, 'not-ipv4-literal'],
    ['2001:db8::1', true, 'not-ipv4-literal'],
    ['127.1', true, 'not-ipv4-literal'],
    ['0x7f.0.0.1', true, 'not-ipv4-literal'],
    ['', true, 'not-ipv4-literal'],
  ] as const)('%s (allowLocal %s): %s', (address, allowLocal, expected) => {
    expect(refuseCandidate(address, allowLocal)).toBe(expected);
  });
});
