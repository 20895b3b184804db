import type { Element } from 'ltx';
import { parseIq, parseStanzaError } from '@convene/protocol/xml';
import { parseJingle, parseJingleIq } from '@convene/protocol/jingle';
import { parseConferenceModified, parseConferenceModify } from '@convene/protocol/colibri2';
import {
  parseBridgeStats,
  parseConferenceReply,
  parseConferenceRequest,
  parseFocusPresence,
  parseParticipantPresence,
} from '@convene/protocol/jitsi';
import { sdpToJingle } from '@convene/protocol/sdp';
import { parseChannelMessage } from '@convene/protocol/channel';
import { parseJsonSources } from '@convene/protocol/sources';
import { ProtocolError } from '@convene/protocol/lib';

const xmlParsers: Record<string, (el: Element) => unknown> = {
  parseIq,
  parseStanzaError,
  parseJingle,
  parseJingleIq,
  parseConferenceModify,
  parseConferenceModified,
  parseBridgeStats,
  parseConferenceRequest,
  parseConferenceReply,
  parseFocusPresence,
  parseParticipantPresence,
};
const textParsers: Record<string, (text: string) => unknown> = {
  sdpToJingle: (t) => sdpToJingle(t, { creator: 'responder' }),
  parseChannelMessage,
  parseJsonSources,
};

describe('parsers given something that is not their input', () => {
  it.each(Object.keys(xmlParsers))('%s throws ProtocolError for a non-element', (name) => {
    for (const junk of [undefined, null, 'iq', 42, {}])
      expect(() => xmlParsers[name]?.(junk as Element)).toThrow(ProtocolError);
  });

  it.each(Object.keys(textParsers))('%s throws ProtocolError for a non-string', (name) => {
    for (const junk of [undefined, null, 42, {}])
      expect(() => textParsers[name]?.(junk as string)).toThrow(ProtocolError);
  });
});
