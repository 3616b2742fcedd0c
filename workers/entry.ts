/**
 * The Worker's entry, which wrangler points at: the edge answers every request, and the
 * SuperPeer class is exported for the runtime to make one Durable Object per shard. The two
 * wings meet only here: `edge/` imports nothing of `super_peer/`, nor the other way round.
 *
 * This is the operator's Worker: to have a say in who connects beyond the vars
 * `ADMISSION_ALLOW` and `INVITE_KEYS`, pass a hook, e.g.
 * `superpeerEdge({ admit: ({ admitted, request }) => admitted || fromOffice(request) })`
 * (`docs/OPERATIONS.md`, "Who may connect").
 *
 * @module
 */
import { superpeerEdge } from "./edge/app.ts";

export default superpeerEdge();
export { SuperPeer } from "./super_peer/super_peer.ts";
export { Verifier } from "./verifier_entrypoint.ts";
