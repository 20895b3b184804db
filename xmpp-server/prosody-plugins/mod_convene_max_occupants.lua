-- Convene's own Prosody 0.12 module (MUC component): a room holds at most `muc_max_occupants` occupants. One more
-- is refused with a presence error `service-unavailable` (lib-jitsi-meet reports it as the conference being full).
-- The JIDs in `muc_max_occupants_exempt` (the focus) are neither counted nor refused. Without the option: no limit.
-- Jitsi's mod_muc_max_occupants behaves the same way.

local jid_bare = require "util.jid".bare;
local st = require "util.stanza";

local limit = module:get_option_number("muc_max_occupants");
local exempt = module:get_option_set("muc_max_occupants_exempt", {});

module:hook("muc-occupant-pre-join", function(event)
	if limit == nil then return; end
	local room, stanza = event.room, event.stanza;
	if exempt:contains(jid_bare(stanza.attr.from)) then return; end
	local count = 0;
	for _, occupant in room:each_occupant() do
		if not exempt:contains(occupant.bare_jid) then count = count + 1; end
	end
	if count >= limit then
		module:log("info", "%s is full (%d occupants): refusing %s", room.jid, count, stanza.attr.from);
		event.origin.send(st.error_reply(stanza, "cancel", "service-unavailable",
			"The room has reached its maximum number of occupants."));
		return true;
	end
end);
