import { parseTilePath, tilePath } from "../../src/tlog/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("tile paths: the C2SP examples, both ways", () => {
  const cases: [string, { level: number; index: number; width: number }][] = [
    ["0/000", { level: 0, index: 0, width: 256 }],
    ["0/x001/x234/067", { level: 0, index: 1234067, width: 256 }],
    ["1/x001/x234/067.p/8", { level: 1, index: 1234067, width: 8 }],
    ["2/999.p/255", { level: 2, index: 999, width: 255 }],
    ["63/x001/000", { level: 63, index: 1000, width: 256 }],
  ];
  for (const [path, tile] of cases) {
    assertEquals(tilePath(tile), path);
    assertEquals(parseTilePath(path), tile);
  }
});

Deno.test("tile paths: one name per tile, anything else refused", () => {
  for (
    const bad of [
      "0/1", // groups of three digits
      "0/x000/001", // a leading zero group
      "0/001/002", // a group but the last without x
      "0/x001", // the last group with x
      "64/000", // no level 64
      "0/000.p/0", // no empty partial tile
      "0/000.p/256", // a partial tile is narrower than 256
      "0/000.p/08", // no leading zero
      "0/000/", // nothing after the last group
      "a/000",
    ]
  ) assertEquals(parseTilePath(bad), undefined, bad);
});
