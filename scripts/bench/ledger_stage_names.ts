/**
 * The stages of the ledger's work per transfer, in the order it runs them, as the breakdown
 * benchmark (`ledger_stages.ts`) names them.
 *
 * @module
 */

/** The stages. */
export const STAGES = ["json", "parse", "hash", "verify", "apply", "seal"] as const;
