import { parseShutdown } from '@convene/bridge/http';

describe('parseShutdown', () => {
  it.each([
    ['', true],
    ['{"graceful-shutdown": true}', true],
    ['{"graceful-shutdown": false}', false],
    ['{}', true],
  ])('reads %j as graceful=%s', (body, graceful) => {
    expect(parseShutdown(body)).toBe(graceful);
  });

  it.each([['{'], ['[1]'], ['{"graceful-shutdown": "yes"}'], ['null']])('rejects %j', (body) => {
    expect(() => parseShutdown(body)).toThrow(/^(bad-json|bad-field):/);
  });
});
