// The HTTP API's description on real workerd: `/v1/openapi.json` is a valid OpenAPI 3.1
// document (checked by an OpenAPI validator), and every route it lists, called with good input
// and with bad, answers with a status it documents and a body its schema accepts (ajv).
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { Identity } from "../../../mod.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const BASE = "https://superpeer.test/openapi.json";

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};

Deno.test("openapi: a valid 3.1 document; every route answers as it says", opts, async () => {
  const net = await startNetwork({
    shards: 2,
    vars: { FAUCET: "on" },
    limits: { BLOCK_INTERVAL_MS: 200 },
  });
  try {
    const doc = await (await fetch(`${net.url}/v1/openapi.json`)).json();
    const validator = new Validator();
    const verdict = await validator.validate(doc);
    assertEquals(verdict, { valid: true });
    assertEquals(validator.version, "3.1");

    // ajv on the document's schemas: a reference is resolved against the document.
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: BASE });
    const refusal = { $ref: `${BASE}#/components/schemas/Refusal` };
    assert(!ajv.validate(refusal, { ok: true }), "the schemas do refuse what they do not describe");
    assert(ajv.validate(refusal, { ok: false, code: "NOT_FOUND", message: "x" }));
    const check = (path: string, method: string, status: number, type: string, body: unknown) => {
      const op = doc.paths[path][method] as Operation;
      const answer = op.responses[String(status)];
      assert(answer, `${method.toUpperCase()} ${path}: ${status} is not documented`);
      const media = Object.keys(answer.content ?? {}).find((m) => type.startsWith(m));
      if (!answer.content) return;
      assert(media, `${method} ${path} ${status}: ${type} is not documented`);
      const schema = answer.content[media!].schema;
      if (media !== "application/json") return;
      const ref = schema.$ref as string | undefined;
      const ok = ajv.validate(ref ? { $ref: BASE + ref } : schema, body);
      assert(ok, `${method} ${path} ${status}: ${ajv.errorsText()} in ${JSON.stringify(body)}`);
    };

    // Values for the parameters: a paid account, its faucet payment's hash, a sealed block.
    const payee = await Identity.generate();
    const paid = await (await fetch(`${net.url}/v1/faucet`, {
      method: "POST",
      body: JSON.stringify({ account: payee.peerId }),
    })).json();
    const shard = paid.shard as number;
    await waitUntil(async () => {
      const head = await (await fetch(`${net.url}/v1/shards/${shard}/head`)).json();
      return head.head !== null;
    }, 10_000);
    const hello = connectUrl(net.url, await signHello(payee, net.network, net.url)).replace(
      /^ws/,
      "http",
    );
    // A part of the client, as its entry names it.
    const entry = await (await fetch(`${net.url}/v1/client.js`)).text();
    const part = /"\.\/(client\/[\w-]+\.js)"/.exec(entry)![1];
    const huge = JSON.stringify(Array.from({ length: 1_000 }, () => ({ x: "y".repeat(100) })));

    // [method, path as documented, URL, body]: good input, bad input, each route.
    const calls: [string, string, string, string?][] = [
      ["get", "/v1/health", "/v1/health"],
      ["get", "/v1/network", "/v1/network"],
      ["get", "/v1/limits", "/v1/limits"],
      ["get", "/v1/metrics", "/v1/metrics"],
      ["get", "/v1/client.js", "/v1/client.js"],
      ["get", "/v1/client/{file}", `/v1/${part}`],
      ["get", "/v1/client/{file}", "/v1/client/nope-ABCDEFGH.js"],
      ["get", "/v1/page.js", "/v1/page.js"],
      ["get", "/", "/"],
      ["get", "/v1/openapi.json", "/v1/openapi.json"],
      ["get", "/v1/connect", new URL(hello).pathname + new URL(hello).search],
      ["get", "/v1/connect", "/v1/connect?peer=nobody"],
      ["post", "/v1/tx", "/v1/tx", "[]"],
      ["post", "/v1/tx", "/v1/tx", JSON.stringify({ nope: 1 })],
      ["post", "/v1/tx", "/v1/tx", "not json"],
      ["post", "/v1/tx", "/v1/tx", huge],
      ["get", "/v1/tx/{hash}", `/v1/tx/${paid.hash}`],
      ["get", "/v1/tx/{hash}", `/v1/tx/${paid.hash}?from=${payee.peerId}`],
      ["get", "/v1/tx/{hash}", `/v1/tx/${"0".repeat(64)}`],
      ["get", "/v1/tx/{hash}", "/v1/tx/xyz"],
      ["get", "/v1/tx/{hash}", `/v1/tx/${paid.hash}?from=nobody`],
      ["get", "/v1/accounts/{id}", `/v1/accounts/${payee.peerId}`],
      ["get", "/v1/accounts/{id}", "/v1/accounts/nobody"],
      ["post", "/v1/faucet", "/v1/faucet", JSON.stringify({ account: payee.peerId })],
      ["post", "/v1/faucet", "/v1/faucet", JSON.stringify({ account: "nobody" })],
      ["get", "/v1/shards/{k}/head", `/v1/shards/${shard}/head`],
      ["get", "/v1/shards/{k}/head", "/v1/shards/99/head"],
      ["get", "/v1/shards/{k}/blocks/{height}", `/v1/shards/${shard}/blocks/1`],
      ["get", "/v1/shards/{k}/blocks/{height}", `/v1/shards/${shard}/blocks/0x10`],
      ["get", "/v1/shards/{k}/blocks/{height}", `/v1/shards/${shard}/blocks/99999`],
      ["get", "/v1/shards/{k}/checkpoint", `/v1/shards/${shard}/checkpoint`],
      ["get", "/v1/shards/{k}/checkpoint", "/v1/shards/99/checkpoint"],
      ["get", "/v1/shards/{k}/checkpoints/{height}", `/v1/shards/${shard}/checkpoints/1`],
      ["get", "/v1/shards/{k}/checkpoints/{height}", `/v1/shards/${shard}/checkpoints/0`],
      ["get", "/v1/shards/{k}/checkpoints/{height}", `/v1/shards/${shard}/checkpoints/99999`],
      ["get", "/v1/shards/{k}/consistency/{from}/{to}", `/v1/shards/${shard}/consistency/0/1`],
      ["get", "/v1/shards/{k}/consistency/{from}/{to}", `/v1/shards/${shard}/consistency/2/1`],
      ["get", "/v1/shards/{k}/consistency/{from}/{to}", `/v1/shards/${shard}/consistency/a/1`],
      ["get", "/v1/shards/{k}/inclusion/{index}/{size}", `/v1/shards/${shard}/inclusion/0/1`],
      ["get", "/v1/shards/{k}/inclusion/{index}/{size}", `/v1/shards/${shard}/inclusion/1/1`],
      ["get", "/v1/shards/{k}/tile/{tile}", `/v1/shards/${shard}/tile/0/000.p/1`],
      ["get", "/v1/shards/{k}/tile/{tile}", `/v1/shards/${shard}/tile/0/000`],
      ["get", "/v1/shards/{k}/tile/{tile}", `/v1/shards/${shard}/tile/0/1`],
      ["get", "/v1/accounts/{id}/proof", `/v1/accounts/${payee.peerId}/proof`],
      ["get", "/v1/accounts/{id}/proof", "/v1/accounts/nobody/proof"],
      ["get", "/v1/shards/{k}/stats", "/v1/shards/0/stats"],
      ["get", "/v1/shards/{k}/stats", "/v1/shards/abc/stats"],
      ["put", "/v1/health", "/v1/health"],
    ];
    const statuses: string[] = [];
    for (const [method, path, url, body] of calls) {
      const r = await fetch(net.url + url, { method: method.toUpperCase(), body });
      const type = r.headers.get("content-type") ?? "";
      const answer = type.startsWith("application/json") ? await r.json() : await r.text();
      // A method a path does not list is checked against the path's documented 405.
      const documented = doc.paths[path][method] ? method : Object.keys(doc.paths[path])[0];
      check(path, documented, r.status, type, answer);
      statuses.push(`${method.toUpperCase()} ${url.slice(0, 30)} ${r.status}`);
    }
    console.log(`openapi: ${calls.length} calls, each documented:\n  ${statuses.join("\n  ")}`);
    // Every route the document lists was called.
    const called = new Set(calls.map(([, path]) => path));
    assertEquals(Object.keys(doc.paths).filter((p) => !called.has(p)), []);
  } finally {
    await net.dispose();
  }
});
