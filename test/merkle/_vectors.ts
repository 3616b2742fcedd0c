/**
 * The reference leaves of RFC 6962's test suite (as transparency-dev publishes them), hashed as
 * leaves: the trees and proofs of `test/merkle/` are checked against their published values.
 *
 * @module
 */
import { hex } from "@scure/base";
import { leafHash } from "../../src/merkle/mod.ts";

/** The eight reference leaves' hashes, in order. */
export const LEAVES: Uint8Array[] = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((h) => leafHash(hex.decode(h)));
