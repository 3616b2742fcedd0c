/**
 * The operator's say in who connects: a closed network's allow-list and invitations
 * (`ADMISSION_ALLOW`, `INVITE_KEYS`), and an admission hook the operator's Worker may pass to
 * {@linkcode superpeerEdge}. Evaluated at the edge once the hello is proven and before any
 * super-peer wakes, so that a refused peer costs the shards nothing. With neither vars nor a
 * hook, the network stays open.
 *
 * @module
 */
import { checkInvitation, type Invitation } from "../../src/protocol/mod.ts";
import type { Env, NetworkConfig } from "../config.ts";
import { HttpError } from "../http_error.ts";
import { logEvent } from "../log.ts";

/** What the edge knows of a peer that asks to connect, as an admission hook sees it. */
export interface AdmissionRequest {
  /** The peer id its hello proved. */
  peer: string;
  /** The client's address, as the edge keys its limits (IPv6 by prefix). */
  address: string;
  /** Whether the peer is on the network's allow-list (`ADMISSION_ALLOW`). */
  listed: boolean;
  /** The invitation it carried, if one was valid here (`INVITE_KEYS`). */
  invitation?: Invitation;
  /**
   * What the network's own rules decided: listed or invited on a closed network, `true` on an
   * open one. A hook that only adds a rule returns `request.admitted || rule(request)`.
   */
  admitted: boolean;
  /** The connect request itself (headers, `cf` properties on Cloudflare). */
  request: Request;
  /** The Worker's bindings, for a hook that looks members up (KV, D1, a service). */
  env: Env;
}

/** A hook's answer: admit, refuse, or refuse with words the peer is shown. */
export type AdmissionVerdict = boolean | { refuse: string };

/**
 * The operator's admission rule, run for every proven hello before any super-peer wakes. It
 * may be async (at most `ADMISSION_HOOK_TIMEOUT_MS`); one that throws or runs late refuses
 * with `ADMISSION_UNAVAILABLE`, which the peer retries later, never admits.
 */
export type AdmissionHook = (
  request: AdmissionRequest,
) => AdmissionVerdict | Promise<AdmissionVerdict>;

/** A peer to admit, as the connect route knows it. */
export interface Candidate {
  /** The proven peer id. */
  peer: string;
  /** The client's address key. */
  address: string;
  /** The `invite=` parameter, if any. */
  invite: string | null;
  /** The connect request. */
  request: Request;
  /** The Worker's env. */
  env: Env;
}

/**
 * Decides whether a proven peer may connect; throws the refusal as an {@linkcode HttpError}.
 *
 * @param config The network's config (its closed admission, if any, and the limits).
 * @param hook The operator's hook, if the Worker was made with one.
 * @param who The candidate.
 * @throws {HttpError} 403 `INVITATION_INVALID` or `ADMISSION_REFUSED`; 503
 *   `ADMISSION_UNAVAILABLE` if the hook fails or runs late.
 *
 * @example An open network admits anyone
 * ```ts
 * import { admitPeer } from "./operator_admission.ts";
 * import { type Env, networkConfig } from "../config.ts";
 * const env = { NETWORK_ID: "dev", SHARD_COUNT: "1" } as unknown as Env;
 * const request = new Request("http://127.0.0.1/v1/connect");
 * await admitPeer(networkConfig(env), undefined, {
 *   peer: "p",
 *   address: "127.0.0.1",
 *   invite: null,
 *   request,
 *   env,
 * });
 * ```
 */
export async function admitPeer(
  config: NetworkConfig,
  hook: AdmissionHook | undefined,
  who: Candidate,
): Promise<void> {
  const closed = config.admission;
  if (!closed && !hook) return;
  const { limits } = config;
  let invitation: Invitation | undefined;
  if (who.invite !== null && closed && closed.inviteKeys.length > 0) {
    if (who.invite.length > limits.INVITATION_MAX_CHARS) {
      throw new HttpError(
        403,
        "INVITATION_INVALID",
        `The invitation is ${who.invite.length} characters, at most ${limits.INVITATION_MAX_CHARS}`,
      );
    }
    const check = await checkInvitation(who.invite, {
      network: config.network,
      peer: who.peer,
      keys: closed.inviteKeys,
      now: Date.now(),
    });
    // A bad invitation is said as such, so that its holder knows what to ask for.
    if (!check.ok && !closed.allow.has(who.peer)) {
      throw new HttpError(403, "INVITATION_INVALID", check.message);
    }
    if (check.ok) invitation = check.invitation;
  }
  const listed = closed?.allow.has(who.peer) ?? false;
  const admitted = !closed || listed || invitation !== undefined;
  const verdict = hook
    ? await runHook(hook, {
      peer: who.peer,
      address: who.address,
      listed,
      ...(invitation ? { invitation } : {}),
      admitted,
      request: who.request,
      env: who.env,
    }, limits.ADMISSION_HOOK_TIMEOUT_MS)
    : admitted;
  if (verdict === true) return;
  const message = typeof verdict === "object"
    ? verdict.refuse
    : closed?.inviteKeys.length
    ? "This network is closed: ask its operator for an invitation"
    : "This network is closed: ask its operator to admit your peer id";
  throw new HttpError(403, "ADMISSION_REFUSED", String(message).slice(0, 256));
}

async function runHook(
  hook: AdmissionHook,
  request: AdmissionRequest,
  timeoutMs: number,
): Promise<AdmissionVerdict> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const verdict = await Promise.race([Promise.resolve().then(() => hook(request)), late]);
    // Only `true` admits: a hook that returns anything else by mistake refuses.
    return verdict === true || (typeof verdict === "object" && verdict !== null) ? verdict : false;
  } catch (error) {
    logEvent("edge.admission_hook", { error: String(error) }, "error");
    throw new HttpError(
      503,
      "ADMISSION_UNAVAILABLE",
      "The network's admission check failed; nothing was decided, try again later",
      1,
    );
  } finally {
    clearTimeout(timer);
  }
}
