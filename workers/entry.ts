/**
 * The Worker's entry, which wrangler points at: the edge answers every request, and the
 * SuperPeer class is exported for the runtime to make one Durable Object per shard. The two
 * wings meet only here: `edge/` imports nothing of `super_peer/`, nor the other way round.
 *
 * @module
 */
export { default } from "./edge/app.ts";
export { SuperPeer } from "./super_peer/super_peer.ts";
