// A network id of its own per deployment: made once, written where the network's config
// lives, and kept by every later start.
import {
  assignDeployedNetworkId,
  localNetworkId,
  newNetworkId,
  UNSET_NETWORK_ID,
} from "../../scripts/network_id.ts";
import { NETWORK_ID_PATTERN } from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("newNetworkId(): fresh each time, and a valid network id", () => {
  const ids = new Set(Array.from({ length: 100 }, () => newNetworkId("net")));
  assertEquals(ids.size, 100);
  for (const id of ids) assert(NETWORK_ID_PATTERN.test(id), id);
});

Deno.test("assignDeployedNetworkId(): the shipped wrangler.toml gets an id for production only", async () => {
  const shipped = await Deno.readTextFile(new URL("wrangler.toml", ROOT));
  const first = assignDeployedNetworkId(shipped, () => "net-abc");
  assertEquals([first.made, first.id], [true, "net-abc"]);
  // Only the production line changed: local runs keep their id.
  const before = shipped.split("\n");
  const after = first.text.split("\n");
  assertEquals(after.length, before.length);
  const changed = after.flatMap((line, i) => line === before[i] ? [] : [[before[i], line]]);
  assertEquals(changed, [[`NETWORK_ID = "${UNSET_NETWORK_ID}"`, 'NETWORK_ID = "net-abc"']]);
  assert(/\[vars\][^[]*NETWORK_ID = "dev"/.test(first.text), "the top level keeps dev");
  // The second deploy keeps what the first made.
  const second = assignDeployedNetworkId(first.text, () => "net-other");
  assertEquals([second.made, second.id, second.text], [false, "net-abc", first.text]);
});

Deno.test("assignDeployedNetworkId(): a config without the production id is said", () => {
  for (
    const text of ['[vars]\nNETWORK_ID = "dev"\n', '[env.production.vars]\nSHARD_COUNT = "8"\n']
  ) {
    let message = "";
    try {
      assignDeployedNetworkId(text);
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes("wrangler.toml"), message);
  }
});

Deno.test("localNetworkId(): made once per state directory; old state keeps dev", async () => {
  const fresh = await Deno.makeTempDir();
  const old = await Deno.makeTempDir();
  try {
    const id = await localNetworkId(`${fresh}/state`);
    assert(/^local-[a-z2-7]{16}$/.test(id), id);
    assertEquals(await localNetworkId(`${fresh}/state`), id);
    assert(id !== await localNetworkId(`${fresh}/other`), "another directory, another id");
    await Deno.writeTextFile(`${old}/ledger.sqlite`, "");
    assertEquals(await localNetworkId(old), UNSET_NETWORK_ID);
  } finally {
    await Deno.remove(fresh, { recursive: true });
    await Deno.remove(old, { recursive: true });
  }
});
