import { ConfigError, loadOrExit, type ConfigExit } from '@convene/protocol/config';

class Exited extends Error {}

function io(): ConfigExit & { written: string[]; codes: number[] } {
  const written: string[] = [];
  const codes: number[] = [];
  return {
    written,
    codes,
    stderr: { write: (t: string) => written.push(t) },
    exit: (code: number): never => {
      codes.push(code);
      throw new Exited();
    },
  };
}

describe('loadOrExit', () => {
  it('returns what loads', () => {
    const out = io();
    expect(loadOrExit(() => 42, out)).toBe(42);
    expect([out.written, out.codes]).toEqual([[], []]);
  });

  it('prints a ConfigError report on stderr and exits 2', () => {
    const out = io();
    const bad = () => {
      throw new ConfigError('focus', [{ key: 'httpPort', message: 'expected a port number', origin: '--http-port' }]);
    };
    expect(() => loadOrExit(bad, out)).toThrow(Exited);
    expect(out.codes).toEqual([2]);
    expect(out.written).toHaveLength(1);
    expect(out.written[0]).toMatch(/^convene-focus: invalid configuration: httpPort: .*\n$/);
  });

  it('lets any other error through', () => {
    const out = io();
    expect(() =>
      loadOrExit(() => {
        throw new TypeError('bug');
      }, out),
    ).toThrow(TypeError);
    expect(out.codes).toEqual([]);
  });
});
