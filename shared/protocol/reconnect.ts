// How a client reconnects after losing the room (issue 15: the restart storm). Socket.IO's client
// waits `delay · 2^attempt`, randomised by ±`randomizationFactor`, at most `delayMax`, between attempts.
// A room is a live meeting: after a server restart the first attempts fail while the process starts,
// and a long backoff would then keep a tablet away for seconds after the server is back. So the delay
// stays short (at most 1 s), and the jitter of the first attempts spreads the devices of every room
// over that second instead of all arriving at one instant. Shared by the browser client
// (client/src/lib/connection.svelte.ts) and the benchmarks' clients (test/bench/clients.ts), so that
// what the storms bench measures is the product's policy.
export const RECONNECT = {
  reconnectionDelay: 500,
  reconnectionDelayMax: 1000,
  randomizationFactor: 0.5,
} as const;
