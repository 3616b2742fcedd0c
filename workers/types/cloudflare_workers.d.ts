/**
 * The subset of the Workers runtime API this project uses, so that `deno check` can type
 * `workers/`. Bundlers leave `cloudflare:workers` to the runtime; only `deno check` reads
 * this file (through the import map). Shapes follow the Workers runtime documentation.
 */

export interface SqlStorageCursor<T> extends Iterable<T> {
  toArray(): T[];
  one(): T;
  readonly rowsRead: number;
  readonly rowsWritten: number;
}

export interface SqlStorage {
  exec<T = Record<string, string | number | null | ArrayBuffer>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T>;
}

export interface DurableObjectStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(fn: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
  deleteAlarm(): Promise<void>;
}

export interface DurableObjectId {
  toString(): string;
  readonly name?: string;
}

export interface DurableObjectState {
  readonly id: DurableObjectId;
  readonly storage: DurableObjectStorage;
  acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): WebSocket[];
  getTags(ws: WebSocket): string[];
  setWebSocketAutoResponse(pair?: WebSocketRequestResponsePair): void;
  getWebSocketAutoResponseTimestamp(ws: WebSocket): Date | null;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
  waitUntil(promise: Promise<unknown>): void;
}

/** Methods of a Durable Object as seen through a stub: every call returns a promise. */
export type DurableObjectStub<T> =
  & { fetch(request: Request): Promise<Response> }
  & {
    [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends
      (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
  };

export interface DurableObjectNamespace<T = unknown> {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub<T>;
}

export abstract class DurableObject<Env = unknown> {
  protected ctx: DurableObjectState;
  protected env: Env;
  constructor(ctx: DurableObjectState, env: Env);
  fetch?(request: Request): Response | Promise<Response>;
  alarm?(): void | Promise<void>;
  webSocketMessage?(ws: WebSocket, message: string | ArrayBuffer): void | Promise<void>;
  webSocketClose?(
    ws: WebSocket,
    code: number,
    reason: string,
    wasClean: boolean,
  ): void | Promise<void>;
  webSocketError?(ws: WebSocket, error: unknown): void | Promise<void>;
}

/** A named entrypoint of a Worker, reached by a service binding (never by a URL). */
export abstract class WorkerEntrypoint<Env = unknown> {
  protected ctx: ExecutionContext;
  protected env: Env;
  constructor(ctx: ExecutionContext, env: Env);
  fetch?(request: Request): Response | Promise<Response>;
}

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

declare global {
  class WebSocketPair {
    0: WebSocket;
    1: WebSocket;
  }
  class WebSocketRequestResponsePair {
    constructor(request: string, response: string);
  }
  interface WebSocket {
    accept(): void;
    serializeAttachment(value: unknown): void;
    deserializeAttachment(): unknown;
  }
  interface ResponseInit {
    webSocket?: WebSocket | null;
  }
}
