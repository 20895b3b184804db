import { jest } from '@jest/globals';
import { BridgeLifecycle } from '@convene/bridge/colibri';
import { colibriSetup } from './setup.js';

function setup() {
  const { registry, log, send } = colibriSetup();
  const exit = jest.fn();
  const changed = jest.fn();
  const lifecycle = new BridgeLifecycle({ registry, log, onStateChange: changed, exit });
  return { registry, lifecycle, exit, changed, send };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('BridgeLifecycle', () => {
  it('exits at once (after the reply delay) on a graceful shutdown with no conferences', () => {
    const { lifecycle, exit } = setup();
    lifecycle.shutdown(true);
    expect(lifecycle.shuttingDown).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('waits for the last conference, refusing new ones meanwhile', async () => {
    const { lifecycle, exit, registry, send } = setup();
    await send('<conference-modify xmlns="jitsi:colibri2" meeting-id="m" name="a@b.c" create="true"/>');
    lifecycle.shutdown(true);
    lifecycle.shutdown(true);
    expect(lifecycle.gracefulShutdown).toBe(true);
    expect(lifecycle.shuttingDown).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(exit).not.toHaveBeenCalled();
    registry.byMeetingId('m')!.close();
    expect(lifecycle.shuttingDown).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('reports drain changes once', () => {
    const { lifecycle, changed } = setup();
    lifecycle.setDrain(true);
    lifecycle.setDrain(true);
    expect(lifecycle.drain).toBe(true);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
