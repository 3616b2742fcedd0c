// The constants of sealing: every bound in the code is in the table, the table is in
// docs/PROTOCOL.md section 13 with its values (what the network serves at /v1/limits).
import * as bounds from "../../src/seal/seal_bounds.ts";
import { SEAL_CONSTANTS } from "../../src/seal/seal_table.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("seal table: every bound of seal_bounds.ts is in it, with its value", () => {
  const table = new Map(SEAL_CONSTANTS.map((c) => [c.name, c.value]));
  for (const [name, value] of Object.entries(bounds)) assertEquals(table.get(name), value, name);
  assertEquals(new Set(SEAL_CONSTANTS.map((c) => c.name)).size, SEAL_CONSTANTS.length, "unique");
});

Deno.test("seal table: docs/PROTOCOL.md section 13 lists every constant with its value", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/PROTOCOL.md", import.meta.url));
  const section = doc.slice(doc.indexOf("## 13. Sealed messages"));
  for (const c of SEAL_CONSTANTS) {
    assert(
      new RegExp(`\\|\\s*\`${c.name}\`\\s*\\|\\s*${c.value}\\s*\\|`).test(section),
      `${c.name} = ${c.value} is not in section 13 of docs/PROTOCOL.md (deno task docs)`,
    );
  }
});
