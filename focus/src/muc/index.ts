export { MucRoom, type MucRoomEvents, type MucRoomOptions } from './muc-room.js';
export { isOccupantPresence, occupantFrom, statusCodes, type Occupant } from './occupant.js';
