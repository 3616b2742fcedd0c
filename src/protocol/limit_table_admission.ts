/**
 * The limits of an operator's admission (a closed network's allow-list, invitations and
 * hook), a part of `limit_table.ts` kept apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The admission rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { ADMISSION_LIMITS } from "./limit_table_admission.ts";
 * console.assert(ADMISSION_LIMITS.INVITATION_MAX_CHARS.value === 512);
 * ```
 */
export const ADMISSION_LIMITS = {
  /** Longest invitation a hello may carry. */
  INVITATION_MAX_CHARS: {
    value: 512,
    unit: "chars",
    description:
      "Longest invitation (`invite=`) a hello may carry; a token is about 200. Longer: HTTP 403 `INVITATION_INVALID`, checked before its signature.",
  },
  /** Most peer ids on a closed network's allow-list. */
  ADMISSION_ALLOW_MAX: {
    value: 100,
    unit: "peers",
    description:
      "Most peer ids in `ADMISSION_ALLOW` (a Worker var holds about 5 KB). More: the Worker refuses to start, naming the var. Larger memberships: invitations, or a hook that looks members up.",
  },
  /** Most inviting keys a closed network lists. */
  INVITE_KEYS_MAX: {
    value: 16,
    unit: "peers",
    description:
      "Most inviting keys in `INVITE_KEYS`. More: the Worker refuses to start, naming the var.",
  },
  /** Longest an operator's admission hook may take to decide. */
  ADMISSION_HOOK_TIMEOUT_MS: {
    value: 2_000,
    unit: "ms",
    description:
      "Longest the operator's admission hook may take for one hello. Longer, or a hook that throws: HTTP 503 `ADMISSION_UNAVAILABLE`, nothing admitted, and the client tries again later.",
  },
} as const satisfies Record<string, LimitRow>;
