/**
 * The ledger on the network page: the visitor's balance, money from the faucet where the
 * network has one, a transfer, and its proof checked in the page with the Merkle path drawn
 * from the transfer's leaf to the root in the signed header.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import type { Peer, TxStatus } from "../../mod.ts";
// The root comes from /v1/client.js at run time; what a subpath gives is bundled in.
import { entryLeaf, inclusionSteps } from "../ledger/mod.ts";
import { leafHash } from "../merkle/mod.ts";
import { copyButton } from "./copy_button.ts";
import { byId, fill, h, inWords, short } from "./dom.ts";

/**
 * Wires the ledger's forms.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../../mod.ts";
 * import { ledgerView } from "./ledger_view.ts";
 * export const wire = (peer: Peer) => ledgerView(peer, true, "http://127.0.0.1:8787");
 * ```
 *
 * @param peer The page's peer.
 * @param faucet Whether the network has a faucet.
 * @param base The network's HTTP base URL.
 * @returns Refreshes the balance.
 */
export function ledgerView(peer: Peer, faucet: boolean, base: string): () => Promise<void> {
  const status = byId("ledger-status");
  const refresh = async () => {
    const a = await peer.ledger.balance();
    fill(byId("balance"), `${a.balance} units (nonce ${a.nonce}, shard ${a.shard})`);
  };
  const faucetButton = byId<HTMLButtonElement>("faucet");
  faucetButton.hidden = !faucet;
  byId("try-faucet").hidden = !faucet;
  faucetButton.addEventListener("click", async () => {
    faucetButton.disabled = true;
    try {
      const r = await fetch(new URL("/v1/faucet", base), {
        method: "POST",
        body: JSON.stringify({ account: peer.peerId }),
      }).then((res) => res.json());
      fill(
        status,
        r.ok ? `The faucet paid you ${r.amount} units.` : `Faucet: ${r.message}`,
      );
      await refresh();
    } finally {
      faucetButton.disabled = false;
    }
  });
  byId<HTMLFormElement>("transfer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const to = (form.elements.namedItem("to") as HTMLInputElement).value.trim();
    const amount = (form.elements.namedItem("amount") as HTMLInputElement).value.trim();
    fill(byId("proof"));
    fill(byId("tx"));
    try {
      if (!/^[0-9]{1,30}$/.test(amount)) throw new TypeError("An amount is a whole number");
      const r = await peer.ledger.transfer(to, BigInt(amount));
      if (!r.ok) return fill(status, `Refused: ${r.code}: ${r.message}`);
      fill(status, "Applied; waiting for its block…");
      // Its own line, which outlives the status: the hash is what a visitor quotes.
      const code = h("code", { title: r.hash }, short(r.hash));
      fill(byId("tx"), "Transaction ", code, ...copyButton("Copy transaction hash", r.hash, code));
      const sealed = await peer.ledger.waitForBlock(r.hash, peer.peerId);
      const verdict = await peer.ledger.verify(sealed.proof!);
      fill(
        status,
        verdict.ok
          ? `Sealed in block ${sealed.block} of shard ${
            sealed.proof!.header.shard
          }: proof checked here ✓`
          : `Proof refused: ${verdict.message}`,
      );
      drawProof(sealed, verdict.ok);
      await refresh();
    } catch (error) {
      fill(status, inWords(error));
    }
  });
  return refresh;
}

/** Draws a sealed transfer's path, leaf to root, each step with its sibling's side. */
function drawProof(s: TxStatus, ok: boolean): void {
  const p = s.proof!;
  const entry = p.mint
    ? { kind: "mint" as const, mint: p.mint }
    : { kind: "transfer" as const, tx: p.tx };
  const leaf = leafHash(entryLeaf(entry));
  const steps = inclusionSteps(leaf, p.index, p.header.entries, p.proof.map((x) => hex.decode(x)));
  const box = (label: string, value: string, cls: string) =>
    h(
      "li",
      { class: `node ${cls}` },
      h("span", { class: "label" }, label),
      h("code", {}, short(value)),
    );
  fill(
    byId("proof"),
    h("h3", {}, "The transfer's path to its block's root"),
    h(
      "ol",
      { class: "path", "aria-label": "Merkle path, leaf first" },
      box(`leaf ${p.index} of ${p.header.entries}`, hex.encode(leaf), "leaf"),
      ...(steps ?? []).map((step, i) =>
        h(
          "li",
          { class: `step ${step.side}` },
          h("span", { class: "label" }, `level ${i + 1}: sibling on the ${step.side}`),
          h("code", { class: "sibling" }, short(step.sibling)),
          h("span", { class: "arrow", "aria-hidden": "true" }, "⟶"),
          h("code", {}, short(step.node)),
        )
      ),
      box(
        ok ? "root = header's txRoot ✓" : "root does not match ✗",
        p.header.txRoot,
        ok ? "root good" : "root bad",
      ),
    ),
    h(
      "p",
      { class: "small" },
      `Header of shard ${p.header.shard}, height ${p.header.height}, signed by the shard's key: `,
      h("code", {}, short(p.header.sig)),
    ),
  );
}
