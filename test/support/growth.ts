/**
 * What the growth tests share: a network whose genesis funds some accounts and whose operator
 * may grow it, and results read once through the test runtime's proxy.
 *
 * @module
 */
import { Identity } from "../../mod.ts";
import {
  type LocalNetwork,
  type NetworkOptions,
  startNetwork,
} from "../../scripts/local_network.ts";

/** The operator's token of these networks (`ADMIN_TOKEN`). */
export const ADMIN = "operator-only";

/**
 * Starts an 8-shard network (unless `options` says otherwise) that pays `funds` to each of
 * `count` new accounts at genesis, with an operator's token.
 *
 * @param count How many accounts.
 * @param funds What each is paid.
 * @param options More options; its `vars` are added to the genesis and the token.
 * @param more Accounts of the test's choosing, funded too and listed after the others.
 * @returns The accounts and the network.
 */
export async function fundedNetwork(
  count: number,
  funds: number,
  options: NetworkOptions = {},
  more: readonly Identity[] = [],
): Promise<{ ids: Identity[]; net: LocalNetwork }> {
  const made = await Promise.all(Array.from({ length: count }, () => Identity.generate()));
  const ids = [...made, ...more];
  const genesis = Object.fromEntries(ids.map((i) => [i.peerId, funds]));
  const vars = { GENESIS: JSON.stringify(genesis), ADMIN_TOKEN: ADMIN, ...options.vars };
  const net = await startNetwork({ shards: 8, ...options, vars });
  return { ids, net };
}

/**
 * A result read through the test runtime's proxy once (each field of a proxied result is a
 * call), as plain JSON.
 *
 * @param value The result.
 * @returns Its plain copy.
 */
export function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
