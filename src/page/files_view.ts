/**
 * File sharing on the network page: share a file (it stays shared while the page is open)
 * and fetch one by its content id with a progress bar, kept in IndexedDB so that a reload
 * resumes it, then offered as a download.
 *
 * @module
 */
import { indexedDbStore, type Peer } from "../../mod.ts";
// The root comes from /v1/client.js at run time; what a subpath gives is bundled in.
import { byteSize } from "../swarm/mod.ts";
import { copyButton } from "./copy_button.ts";
import { byId, fill, h, inWords } from "./dom.ts";

/**
 * Wires the share and fetch forms.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../../mod.ts";
 * import { filesView } from "./files_view.ts";
 * export const wire = (peer: Peer) => filesView(peer);
 * ```
 *
 * @param peer The page's peer.
 */
export function filesView(peer: Peer): void {
  // Apart, so that fetching a file never hides the id of the one being shared.
  const shared = byId("share-status");
  const status = byId("fetch-status");
  byId<HTMLFormElement>("share").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("file") as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return fill(shared, "Choose a file first.");
    fill(shared, `Hashing ${file.name}…`);
    try {
      const id = await peer.swarm.share(file);
      const code = h("code", { class: "cid" }, id);
      fill(
        shared,
        `Sharing ${file.name} (${byteSize(file.size)}) while this page is open. Its content id: `,
        code,
        ...copyButton("Copy content id", id, code),
      );
    } catch (error) {
      fill(shared, inWords(error));
    }
  });
  byId<HTMLFormElement>("fetch").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const id = (form.elements.namedItem("cid") as HTMLInputElement).value.trim();
    const bar = byId<HTMLProgressElement>("fetch-progress");
    const started = Date.now();
    bar.value = 0;
    fill(status, "Looking for providers…");
    try {
      const bytes = await peer.swarm.fetch(id, {
        store: indexedDbStore(),
        onProgress: (p) => {
          bar.max = p.total;
          bar.value = p.done;
          const rate = p.bytes / Math.max(0.001, (Date.now() - started) / 1_000);
          fill(
            status,
            `${p.done} of ${p.total} pieces, ${byteSize(rate)}/s, ${p.sources} sources, ` +
              `${p.bad} bad${p.resumed ? `, ${p.resumed} kept from before` : ""}`,
          );
        },
      });
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      fill(
        status,
        `Fetched ${byteSize(bytes.length)}, every piece checked. `,
        h("a", { href: url, download: `${id.slice(0, 12)}.bin` }, "Save it"),
      );
    } catch (error) {
      fill(status, inWords(error));
    }
  });
}
