import { buildProsodyConfig, isLoopbackAddress, luaString, parseLogLine, xmppLayout } from '@convene/xmpp-server';

const params = {
  domain: 'meet.example.org',
  bindAddress: '127.0.0.1',
  c2sPort: 15222,
  componentPort: 15347,
  httpPort: 15280,
  focusSecret: 'sec"ret\\x',
  dataDir: '/var/lib/convene/data',
  pidFile: '/var/lib/convene/prosody.pid',
  certificates: '/var/lib/convene/certs',
};

/** The settings block of one host (VirtualHost or Component) as text. */
function section(config: string, header: string): string {
  const start = config.indexOf(header);
  expect(start).toBeGreaterThan(-1);
  const next = config.slice(start + header.length).search(/\n(VirtualHost|Component) /);
  return next === -1 ? config.slice(start) : config.slice(start, start + header.length + next);
}

describe('xmppLayout', () => {
  it('derives every address from the client domain', () => {
    expect(xmppLayout('meet.example.org')).toEqual({
      domain: 'meet.example.org',
      authDomain: 'auth.meet.example.org',
      mucDomain: 'conference.meet.example.org',
      breakoutMucDomain: 'breakout.meet.example.org',
      internalMucDomain: 'internal.auth.meet.example.org',
      focusDomain: 'focus.meet.example.org',
      breweryRoom: 'jvbbrewery@internal.auth.meet.example.org',
      focusJid: 'focus@focus.meet.example.org',
    });
  });
});

describe('buildProsodyConfig', () => {
  const config = buildProsodyConfig(params);

  it('binds every listener to the given address and ports', () => {
    expect(config).toContain('c2s_ports = { 15222 }');
    expect(config).toContain('component_ports = { 15347 }');
    expect(config).toContain('http_ports = { 15280 }');
    for (const key of ['interfaces', 'c2s_interfaces', 'component_interfaces', 'http_interfaces']) {
      expect(config).toMatch(new RegExp(`^${key} = \\{ "127\\.0\\.0\\.1" \\}$`, 'm'));
    }
    expect(config).toContain('s2s_ports = { }');
  });

  it('makes the client host anonymous and the auth host password-based', () => {
    expect(section(config, 'VirtualHost "meet.example.org"')).toContain('authentication = "anonymous"');
    expect(section(config, 'VirtualHost "auth.meet.example.org"')).toContain('authentication = "internal_hashed"');
  });

  it('lets only the focus create conference rooms, owning them, with whois=anyone and no locking', () => {
    const muc = section(config, 'Component "conference.meet.example.org" "muc"');
    expect(muc).toContain('restrict_room_creation = true');
    expect(muc).toContain('muc_room_locking = false');
    expect(muc).toContain('muc_room_default_public_jids = true');
    expect(muc).toContain('component_admins_as_room_owners = true');
    expect(muc).toContain('admins = { "focus@focus.meet.example.org" }');
  });

  it("loads Convene's own modules on the conference MUC only, with the occupant limit when one is given", () => {
    expect(config).toMatch(/^plugin_paths = \{ +\}$/m);
    expect(config).not.toContain('"convene_meeting_id"');
    const withPlugins = buildProsodyConfig({ ...params, pluginDir: '/run/convene/plugins', maxOccupants: 5 });
    expect(withPlugins).toContain('plugin_paths = { "/run/convene/plugins" }');
    const muc = section(withPlugins, 'Component "conference.meet.example.org" "muc"');
    expect(muc).toContain('modules_enabled = { "convene_meeting_id"; "convene_max_occupants" }');
    expect(muc).toContain('muc_max_occupants = 5');
    expect(muc).toContain('muc_max_occupants_exempt = { "focus@focus.meet.example.org" }');
    expect(section(withPlugins, 'Component "internal.auth.meet.example.org" "muc"')).not.toContain('"convene_');
    const unlimited = buildProsodyConfig({ ...params, pluginDir: '/p' });
    expect(unlimited).not.toContain('muc_max_occupants =');
  });

  it('makes the focus and the bridges owners of the brewery MUC', () => {
    const internal = section(config, 'Component "internal.auth.meet.example.org" "muc"');
    expect(internal).toContain('admins = { "focus@focus.meet.example.org"; "jvb@auth.meet.example.org" }');
  });

  it('keeps everyone but those owners out of the brewery MUC, with real JIDs shown', () => {
    const internal = section(config, 'Component "internal.auth.meet.example.org" "muc"');
    expect(internal).toContain('restrict_room_creation = true');
    expect(internal).toContain('muc_room_default_members_only = true');
    expect(internal).toContain('muc_room_default_public_jids = true');
  });

  it('declares the focus external component with its secret escaped', () => {
    const focus = section(config, 'Component "focus.meet.example.org"\n');
    expect(focus).toContain('component_secret = "sec\\"ret\\\\x"');
  });

  it('serves BOSH and WebSocket', () => {
    expect(config).toMatch(/modules_enabled = \{[^}]*"bosh"[^}]*"websocket"/);
  });
});

describe('luaString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['"; os.execute("rm -rf /") --', '"\\"; os.execute(\\"rm -rf /\\") --"'],
  ])('quotes %j safely', (input, expected) => {
    expect(luaString(input)).toBe(expected);
  });
});

describe('parseLogLine', () => {
  it('reads source, level and message from a Prosody console line', () => {
    expect(parseLogLine("portmanager         info\tActivated service 'c2s' on [127.0.0.1]:5222")).toEqual({
      source: 'portmanager',
      level: 'info',
      message: "Activated service 'c2s' on [127.0.0.1]:5222",
    });
    expect(parseLogLine('meet.localhost:http  warn\tsomething')).toMatchObject({
      source: 'meet.localhost:http',
      level: 'warn',
    });
  });
  it('keeps lines it does not recognise and skips blank ones', () => {
    expect(parseLogLine('lua: stack traceback')).toEqual({
      source: 'prosody',
      level: 'info',
      message: 'lua: stack traceback',
    });
    expect(parseLogLine('   ')).toBeUndefined();
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.10', false],
    ['10.0.0.1', false],
    ['::ffff:192.0.2.1', false],
    ['2001:db8::1', false],
    ['meet.example.org', false],
  ])('%s: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});
