/**
 * File sharing: content ids and their piece trees, the check of a piece against an id,
 * which pieces a peer has, the state of one download, and a peer's side of it all
 * ({@linkcode PeerSwarm}: share, fetch, serve), which a peer wires in through a
 * {@linkcode SwarmHost}.
 *
 * @example Usage
 * ```ts
 * import { PieceTree, verifyPiece } from "./mod.ts";
 * const tree = PieceTree.of(new TextEncoder().encode("hello"));
 * console.assert(verifyPiece(tree.id, 0, new TextEncoder().encode("hello"), tree.proof(0)));
 * ```
 *
 * @module
 */
export * from "./bitfield.ts";
export * from "./blob_source.ts";
export * from "./byte_size.ts";
export * from "./content_id.ts";
export * from "./download.ts";
export { DEFAULT_FIND_PROVIDERS_MS } from "./defaults.ts";
export type { FetchOptions, FetchReport } from "./fetch_run.ts";
export * from "./file_source.ts";
export * from "./file_store.ts";
export * from "./indexeddb_store.ts";
export { PeerSwarm, type Shareable } from "./peer_swarm.ts";
export * from "./picker.ts";
export * from "./piece_store.ts";
export * from "./piece_tree.ts";
export * from "./seeder.ts";
export type { SwarmHost } from "./swarm_host.ts";
export * from "./wire.ts";
