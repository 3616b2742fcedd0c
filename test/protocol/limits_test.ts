import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  ERROR_CODES,
  LIMIT_SPECS,
  resolveLimits,
} from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("resolveLimits() applies overrides and refuses unknown names and bad values", () => {
  assertEquals(resolveLimits({}), DEFAULT_LIMITS);
  assertEquals(resolveLimits({ MAX_FRAME_BYTES: 1024 }).MAX_FRAME_BYTES, 1024);
  for (
    const bad of [{ NOPE: 1 }, { MAX_FRAME_BYTES: 0 }, { MAX_FRAME_BYTES: 1.5 }, {
      MAX_FRAME_BYTES: "9",
    }]
  ) {
    try {
      resolveLimits(bad);
      assert.fail(JSON.stringify(bad));
    } catch (e) {
      assert(e instanceof RangeError);
    }
  }
});

Deno.test("docs/PROTOCOL.md lists every limit, error code and close code with its value", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/PROTOCOL.md", import.meta.url));
  for (const spec of LIMIT_SPECS) {
    assert(
      new RegExp(`\\|\\s*\`${spec.name}\`\\s*\\|\\s*${spec.value}\\s*\\|`).test(doc),
      `${spec.name} = ${spec.value} is not in the limits table of docs/PROTOCOL.md`,
    );
  }
  for (const code of Object.keys(ERROR_CODES)) {
    assert(doc.includes(`| \`${code}\``), `error code ${code} is not documented`);
  }
  for (const [name, value] of Object.entries(CLOSE_CODES)) {
    assert(doc.includes(`| ${value} | \`${name}\``), `close code ${name} is not documented`);
  }
});

Deno.test("the client's values of the limits are the table's, in its order (`deno task docs`)", () => {
  assertEquals(
    Object.entries(DEFAULT_LIMITS),
    LIMIT_SPECS.map((l): [string, number] => [l.name, l.value]),
    "src/protocol/limit_values.ts is stale: run `deno task docs`",
  );
});
