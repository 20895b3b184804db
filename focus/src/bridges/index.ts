export { Bridge, type BridgeState, FAILURE_RESET_MS, RECENT_ENDPOINT_WINDOW_MS } from './bridge.js';
export { selectBridge, STRESS_THRESHOLD, type SelectionRequest } from './bridge-selector.js';
export { Brewery, type BreweryEvents } from './brewery.js';
export { BridgeDoctor, type BridgeDoctorOptions } from './bridge-doctor.js';
