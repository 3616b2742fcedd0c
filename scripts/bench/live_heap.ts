/**
 * The live JavaScript heap of a local workerd, read over its inspector: the bytes of every
 * object still reachable after a full collection (a heap snapshot collects first). Resident
 * memory counts, besides, heap pages that garbage grew and the allocator's free lists; this
 * counts only what is held.
 *
 * @module
 */

/** An open inspector session on one workerd isolate. */
export interface LiveHeap {
  /** Bytes of the objects reachable now, after a full collection. */
  bytes(): Promise<number>;
  /** Ends the session. */
  close(): void;
}

type Message = { id?: number; method?: string; params?: { chunk?: string } };

/**
 * Opens an inspector session on the user Worker's isolate of a workerd started with an
 * inspector port (Miniflare's `inspectorPort`).
 *
 * @example
 * ```ts ignore
 * const heap = await openLiveHeap(9229);
 * console.log(await heap.bytes());
 * heap.close();
 * ```
 *
 * @param port The inspector port, on loopback.
 * @returns The session.
 */
export async function openLiveHeap(port: number): Promise<LiveHeap> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  // The user Worker's isolate is listed as `core:user:<name>`; the rest are Miniflare's own.
  const target = targets.find((t) => t.webSocketDebuggerUrl.includes("/core:user:"));
  if (!target) throw new Error("No user Worker on the inspector");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("Cannot open the inspector"));
  });
  let next = 0;
  const answers = new Map<number, () => void>();
  let chunks: string[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data) as Message;
    if (m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(m.params!.chunk!);
    else if (m.id !== undefined) answers.get(m.id)?.();
  };
  const call = (method: string, params: object = {}) =>
    new Promise<void>((resolve) => {
      const id = ++next;
      answers.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async bytes() {
      chunks = [];
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      const snapshot = JSON.parse(chunks.join("")) as {
        snapshot: { meta: { node_fields: string[] } };
        nodes: number[];
      };
      chunks = [];
      const fields = snapshot.snapshot.meta.node_fields;
      const self = fields.indexOf("self_size");
      let total = 0;
      for (let i = self; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i];
      return total;
    },
    close: () => ws.close(),
  };
}
