// The package's public surface. The root is the client, and its names are pinned here: a name
// added to `mod.ts` fails this test until it is added below, so that growing what users are
// promised is a decision. Every subpath of `deno.json` resolves and says what it is; no entry
// sits on an import cycle; and `deno doc --lint` finds nothing in what the entries export.
import { assert, assertEquals } from "./support/assert.ts";

const ROOT = new URL("../", import.meta.url);

/** What the root gives at run time. */
const ROOT_VALUES = [
  "browserTransport",
  "checkNetworkUrl",
  "CLOSE_CODES",
  "ERROR_CODES",
  "fileMarks",
  "fileStore",
  "Identity",
  "indexedDbMarks",
  "indexedDbStore",
  "isPeerId",
  "memoryStore",
  "Peer",
  "ProtocolError",
  "verifyBlockHeader",
  "verifyTxProof",
];

/** The types the root names (classes exported as types only among them). */
const ROOT_TYPES = [
  "AccountView",
  "BackoffOptions",
  "Bitfield",
  "BlockHeaderJson",
  "CloseCode",
  "CloseDetail",
  "ConnectionOptions",
  "ContentId",
  "ContentSource",
  "ControlReplies",
  "ControlRequests",
  "ControlType",
  "Delivery",
  "DirectOptions",
  "DirectTransport",
  "DirectTransportFactory",
  "DirectTransportOptions",
  "DownloadProgress",
  "Ed25519Jwk",
  "ErrorCode",
  "ErrorMessage",
  "FetchOptions",
  "FetchReport",
  "IceServer",
  "IdentityJson",
  "IndexedDbFactory",
  "LedgerApi",
  "LimitName",
  "Limits",
  "ListenedTarget",
  "MailEvent",
  "MailMessage",
  "MailNotice",
  "MarksSnapshot",
  "MarksStore",
  "MintJson",
  "MintProof",
  "NetworkInfo",
  "NetworkKeys",
  "PeerEvents",
  "PeerInfo",
  "PeerLedger",
  "PeerMessage",
  "PeerOptions",
  "PeerPresence",
  "PeerServices",
  "PeerState",
  "PieceStore",
  "PieceStoreFactory",
  "PresenceEvent",
  "PresenceMessage",
  "ProofPath",
  "ProviderInfo",
  "ReconnectingDetail",
  "Refusal",
  "RequestMessage",
  "SealCode",
  "SealError",
  "SeederOptions",
  "SendResult",
  "Shareable",
  "SignedBlockHeader",
  "SignedSlotMap",
  "StoredPiece",
  "SwarmApi",
  "TopicEvent",
  "TopicMessage",
  "TopicOptions",
  "TopicSealCode",
  "TransferJson",
  "TransferProof",
  "TxOutcome",
  "TxProof",
  "TxStatus",
  "Welcome",
];

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b));

async function output(
  args: string[],
  streams: "both" | "stdout" = "both",
): Promise<{ code: number; text: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = streams === "both" ? new TextDecoder().decode(o.stderr) : "";
  const text = new TextDecoder().decode(o.stdout) + err;
  // deno-lint-ignore no-control-regex
  return { code: o.code, text: text.replace(/\x1b\[[0-9;]*m/g, "") };
}

/** The entries of `deno.json`, by subpath. */
async function entries(): Promise<Record<string, string>> {
  const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return typeof deno.exports === "string" ? { ".": deno.exports } : deno.exports;
}

/** What `deno doc --json` says of some modules: per module, its doc and its names. */
async function docs(files: string[]): Promise<Map<string, { doc?: string; names: string[] }>> {
  // The JSON alone: a warning on stderr (React's types name a file by `reference path`, which
  // `deno doc` does not follow) is no part of it.
  const { code, text } = await output(["doc", "--json", ...files], "stdout");
  assertEquals(code, 0, text);
  const nodes: Record<string, { module_doc?: { doc?: string }; symbols: { name: string }[] }> =
    JSON.parse(text).nodes;
  return new Map(
    Object.entries(nodes).map(([url, n]) => [
      new URL(url).pathname.slice(ROOT.pathname.length),
      { doc: n.module_doc?.doc, names: n.symbols.map((s) => s.name) },
    ]),
  );
}

Deno.test("surface: the root exports the client, and nothing else", async () => {
  const root = await import("../mod.ts");
  const values = Object.keys(root);
  assertEquals(sorted(values), sorted(ROOT_VALUES), "the root's values");
  const names = (await docs(["mod.ts"])).get("mod.ts")!.names;
  assertEquals(
    sorted(names.filter((n) => !values.includes(n))),
    sorted(ROOT_TYPES),
    "the root's types",
  );
  // 90 since the slot map joined the network's facts (`NetworkInfo.slotMap`).
  assert(names.length <= 90, `the root stays small: ${names.length} names`);
  // It names each export: a module re-exported whole would grow it unseen.
  const source = await Deno.readTextFile(new URL("mod.ts", ROOT));
  assert(!/^export \*/m.test(source), "mod.ts exports by name");
});

Deno.test("surface: every subpath resolves and has a module doc", async () => {
  const map = await entries();
  assertEquals(Object.keys(map), [
    ".",
    "./protocol",
    "./ledger",
    "./merkle",
    "./tlog",
    "./swarm",
    "./seal",
    "./identity",
    "./routing",
    "./direct",
    "./werift",
    "./native",
    "./react",
  ]);
  const found = await docs(Object.values(map));
  for (const [subpath, file] of Object.entries(map)) {
    const module = await import(new URL(file, ROOT).href);
    assert(Object.keys(module).length > 0, `${subpath} gives something`);
    const doc = found.get(file.replace(/^\.\//, ""));
    assert(doc?.doc && doc.doc.length > 40, `${file} has a @module doc`);
  }
});

Deno.test("surface: no entry sits on an import cycle", async () => {
  for (const file of Object.values(await entries())) {
    const { code, text } = await output(["info", "--json", file]);
    assertEquals(code, 0, text);
    const graph: {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
      }[];
    } = JSON.parse(text);
    const edges = new Map(
      graph.modules.filter((m) => m.specifier.startsWith("file:")).map((m) => [
        m.specifier,
        (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
          .filter((s): s is string => s?.startsWith("file:") ?? false),
      ]),
    );
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (node: string): void => {
      state.set(node, "open");
      path.push(node);
      for (const next of edges.get(node) ?? []) {
        const cycle = path.slice(path.indexOf(next)).concat(next)
          .map((s) => s.slice(ROOT.href.length));
        assert(state.get(next) !== "open", `${file}: import cycle ${cycle.join(" → ")}`);
        if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(node, "done");
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node);
  }
});

Deno.test("surface: deno doc --lint finds nothing in what the entries export", async () => {
  // All entries at once, as a registry reads a package: a type one entry names may be
  // exported by another.
  const { text } = await output(["doc", "--lint", ...Object.values(await entries())]);
  const found: Record<string, number> = {};
  for (const m of text.matchAll(/^error\[[a-z-]+\].*\n\s*--> (\S+?):\d+:\d+/gm)) {
    const file = m[1].slice(ROOT.pathname.length);
    found[file] = (found[file] ?? 0) + 1;
  }
  assertEquals(found, {}, text);
  // The root alone too: what it names, a user of the client can name without a subpath.
  const root = await output(["doc", "--lint", "mod.ts"]);
  assert(!/^error\[/m.test(root.text), root.text);
});
