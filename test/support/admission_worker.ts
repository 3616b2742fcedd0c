/**
 * An operator's Worker with an admission hook, for tests: the network's own rules
 * (`ADMISSION_ALLOW`, `INVITE_KEYS`) plus a members list, a ban list, and peers whose check
 * throws or hangs, all read from vars the test sets (as a real hook would read KV or D1).
 *
 * @module
 */
import { superpeerEdge } from "../../workers/edge/app.ts";

export { SuperPeer } from "../../workers/super_peer/super_peer.ts";
export { Verifier } from "../../workers/verifier_entrypoint.ts";

/** The test's lists, as vars: peer ids, comma-separated. */
interface TestVars {
  TEST_HOOK_MEMBERS?: string;
  TEST_HOOK_BANNED?: string;
  TEST_HOOK_THROWS?: string;
  TEST_HOOK_HANGS?: string;
}

const on = (list: string | undefined, peer: string) => (list ?? "").split(",").includes(peer);

export default superpeerEdge({
  admit: async ({ peer, admitted, env }) => {
    const vars = env as unknown as TestVars;
    if (on(vars.TEST_HOOK_THROWS, peer)) throw new Error("the members list is down");
    if (on(vars.TEST_HOOK_HANGS, peer)) await new Promise((r) => setTimeout(r, 60_000));
    if (on(vars.TEST_HOOK_BANNED, peer)) return { refuse: "Banned by the operator" };
    return admitted || on(vars.TEST_HOOK_MEMBERS, peer);
  },
});
