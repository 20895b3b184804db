// The ejabberd config is YAML ejabberd reads as written: parse it back and check what the layout needs.
import { parse } from 'yaml';
import { buildEjabberdConfig } from '@convene/xmpp-server';

const params = {
  domain: 'meet.example.org',
  bindAddress: '127.0.0.1',
  c2sPort: 15222,
  componentPort: 15347,
  httpPort: 15280,
  focusSecret: 'sec"ret\\x: #not a comment',
};

type Host = { auth_method: string; modules: Record<string, Record<string, unknown>> };
const hostsOf = (c: Record<string, unknown>) => c.host_config as Record<string, Host>;

describe('buildEjabberdConfig', () => {
  it('has the Convene layout: anonymous domain, password auth host, both MUCs, the focus component', () => {
    const c = parse(buildEjabberdConfig(params)) as Record<string, unknown>;
    expect(c.hosts).toEqual(['meet.example.org', 'auth.meet.example.org']);
    const hosts = hostsOf(c);
    expect(hosts['meet.example.org']?.auth_method).toBe('anonymous');
    expect(hosts['auth.meet.example.org']?.auth_method).toBe('internal');
    const conference = hosts['meet.example.org']?.modules.mod_muc;
    expect(conference).toMatchObject({ host: 'conference.meet.example.org', access_create: 'conference_creators' });
    expect(conference?.default_room_options).toMatchObject({ anonymous: false, members_only: false });
    const brewery = hosts['auth.meet.example.org']?.modules.mod_muc;
    expect(brewery).toMatchObject({ host: 'internal.auth.meet.example.org', access_create: 'brewery_owners' });
    expect(brewery?.default_room_options).toMatchObject({ anonymous: false, members_only: true });
    // A host's modules replace the global list: each host lists ping and disco itself.
    for (const h of Object.values(hosts))
      expect(Object.keys(h.modules)).toEqual(expect.arrayContaining(['mod_disco', 'mod_ping']));
    const listen = c.listen as Array<Record<string, unknown>>;
    expect(listen.map((l) => [l.port, l.ip, l.module])).toEqual([
      [15222, '127.0.0.1', 'ejabberd_c2s'],
      [15347, '127.0.0.1', 'ejabberd_service'],
      [15280, '127.0.0.1', 'ejabberd_http'],
    ]);
    expect(listen[1]?.hosts).toEqual({ 'focus.meet.example.org': { password: params.focusSecret } });
    expect(listen[2]?.request_handlers).toEqual({ '/http-bind': 'mod_bosh', '/xmpp-websocket': 'ejabberd_http_ws' });
    expect(c.acl).toEqual({
      focus: { user: [{ focus: 'focus.meet.example.org' }] },
      bridges: { user: [{ jvb: 'auth.meet.example.org' }] },
    });
    expect((c.access_rules as Record<string, unknown>).brewery_owners).toEqual([
      { allow: 'focus' },
      { allow: 'bridges' },
    ]);
    expect(c.s2s_access).toBe('no_one');
    expect(c.disable_sasl_mechanisms).toBeUndefined();
  });

  it('never offers PLAIN off loopback, and leaves mod_ping out of the auth host only when asked', () => {
    const lan = parse(buildEjabberdConfig({ ...params, bindAddress: '192.0.2.7' })) as Record<string, unknown>;
    expect(lan.disable_sasl_mechanisms).toEqual(['PLAIN']);
    const off = parse(buildEjabberdConfig({ ...params, allowPlainAuth: false })) as Record<string, unknown>;
    expect(off.disable_sasl_mechanisms).toEqual(['PLAIN']);
    const noPing = hostsOf(
      parse(buildEjabberdConfig({ ...params, withoutPingOnAuthHost: true })) as Record<string, unknown>,
    );
    expect(Object.keys(noPing['auth.meet.example.org']?.modules ?? {})).not.toContain('mod_ping');
    expect(Object.keys(noPing['meet.example.org']?.modules ?? {})).toContain('mod_ping');
  });
});
