-- Convene's own Prosody 0.12 module (MUC component): every room gets a meeting id when it is created, shown as
-- `muc#roominfo_meetingId` in the room's disco#info extended form (XEP-0128), where lib-jitsi-meet reads it, and in
-- the owner's configuration form, where the focus reads it when it creates the room. One id for both, made here:
-- the focus and the clients then name the meeting alike (Jitsi's mod_muc_meeting_id behaves the same way).
-- Load it on the conference MUC with `modules_enabled = { "convene_meeting_id" }` and `plugin_paths`.

local generate_uuid = require "util.uuid".generate;

local FIELD = "muc#roominfo_meetingId";

module:hook("muc-room-created", function(event)
	local room = event.room;
	room._data.meetingId = generate_uuid();
	module:log("debug", "meeting id %s for %s", room._data.meetingId, room.jid);
end);

local function meeting_id_field(room)
	return { name = FIELD, type = "text-single", label = "The meeting unique id.", value = room._data.meetingId or "" };
end

-- Everyone's disco#info on the room.
module:hook("muc-disco#info", function(event)
	table.insert(event.form, meeting_id_field(event.room));
end);

-- The owner's configuration form (the focus asks for it right after creating the room).
module:hook("muc-config-form", function(event)
	table.insert(event.form, meeting_id_field(event.room));
end, 87);
