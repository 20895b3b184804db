/** XML namespaces of every extension Convene reads or writes (PROTOCOL.md namespace table). */
export const NS_CLIENT = 'jabber:client';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_FOCUS = 'http://jitsi.org/protocol/focus';
export const NS_COLIBRI = 'http://jitsi.org/protocol/colibri';
export const NS_COLIBRI2 = 'jitsi:colibri2';
export const NS_JINGLE = 'urn:xmpp:jingle:1';
export const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1';
export const NS_JINGLE_RTP = 'urn:xmpp:jingle:apps:rtp:1';
export const NS_JINGLE_RTCP_FB = 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0';
export const NS_JINGLE_HDREXT = 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0';
export const NS_JINGLE_SSMA = 'urn:xmpp:jingle:apps:rtp:ssma:0';
export const NS_JINGLE_GROUP = 'urn:xmpp:jingle:apps:grouping:0';
export const NS_JINGLE_ICE_UDP = 'urn:xmpp:jingle:transports:ice-udp:1';
export const NS_JINGLE_DTLS = 'urn:xmpp:jingle:apps:dtls:0';
export const NS_JINGLE_SCTP = 'urn:xmpp:jingle:transports:dtls-sctp:1';
export const NS_JITMEET = 'http://jitsi.org/jitmeet';
export const NS_START_MUTED = 'http://jitsi.org/jitmeet/start-muted';
export const NS_ETHERPAD = 'http://jitsi.org/jitmeet/etherpad';
export const NS_HEALTHCHECK = 'http://jitsi.org/protocol/healthcheck';
export const NS_CAPS = 'http://jabber.org/protocol/caps';
export const NS_NICK = 'http://jabber.org/protocol/nick';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
/** XEP-0215 External Service Discovery, version 2: STUN/TURN servers and credentials from the XMPP server. */
export const NS_EXTDISCO = 'urn:xmpp:extdisco:2';
