// Bumped whenever an event name or payload changes incompatibly. The client sends its version in the
// handshake; the server refuses a different major version with `protocol_mismatch`.
export const PROTOCOL_VERSION = 1;
