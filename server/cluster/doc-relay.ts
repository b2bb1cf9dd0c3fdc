import * as Y from 'yjs';
import { randomBytes } from 'node:crypto';

// A session's co-edited Yjs document (the requirements document) kept the same on every process that
// has it open (issue 9: "a session's Yjs document consistent across processes"). The requirements
// endpoint calls `attach(sessionId, doc)` when it opens a session's document and the returned detach
// when it drops it; everything else is the relay's business:
//   - a local update (any origin but the relay) is published to the session's Redis channel;
//   - an update from another process is applied with the relay as origin (so it is not sent back);
//   - on attach the process asks the others for what it lacks (its state vector), and each answers with
//     the missing diff: a process that takes a session over after a crash starts from the live document
//     of the others, on top of whatever the endpoint loaded from the shared store.
// Redis pub/sub is at-most-once: a process that is cut off from Redis misses updates until it attaches
// again. Durable state stays the endpoint's job (persist updates / published versions in the event log).

export interface DocRelay {
  attach(sessionId: string, doc: Y.Doc): () => void;
  close(): Promise<void>;
}

/** One process: nothing to relay. */
export const localDocRelay: DocRelay = {
  attach: () => () => undefined,
  close: async () => undefined,
};

/** The node-redis calls the relay needs (a connected client; `duplicate()` gives the subscriber). */
interface Redis {
  duplicate(): Redis;
  connect(): Promise<unknown>;
  on(event: 'error', fn: (e: Error) => void): unknown;
  publish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string, fn: (msg: Buffer) => void, bufferMode: true): Promise<void>;
  unsubscribe(channel: string, fn: (msg: Buffer) => void, bufferMode: true): Promise<void>;
  quit(): Promise<unknown>;
}

const UPDATE = 0;
const ASK = 1;
const ANSWER = 2;
const NODE_BYTES = 8;

export class RedisDocRelay implements DocRelay {
  private readonly node = randomBytes(NODE_BYTES);
  /** The relay's own origin, so that updates it applied are not published again. */
  readonly origin = Symbol('redis-doc-relay');

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
  ) {}

  static async open(client: unknown, prefix: string): Promise<RedisDocRelay> {
    const pub = client as Redis;
    const sub = pub.duplicate();
    sub.on('error', (e: Error) => console.error('[cluster] redis (yjs relay):', e.message));
    await sub.connect();
    return new RedisDocRelay(pub, sub, prefix);
  }

  private channel(sessionId: string): string {
    return `${this.prefix}:yjs:${sessionId}`;
  }

  private send(sessionId: string, type: number, body: Uint8Array): void {
    const msg = Buffer.concat([Buffer.from([type]), this.node, Buffer.from(body)]);
    this.pub.publish(this.channel(sessionId), msg).catch((e: Error) => console.error('[cluster] yjs publish failed:', e.message));
  }

  attach(sessionId: string, doc: Y.Doc): () => void {
    const channel = this.channel(sessionId);
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin !== this.origin) this.send(sessionId, UPDATE, update);
    };
    const onMessage = (msg: Buffer) => {
      if (msg.length < 1 + NODE_BYTES || msg.subarray(1, 1 + NODE_BYTES).equals(this.node)) return;
      const body = new Uint8Array(msg.subarray(1 + NODE_BYTES));
      try {
        if (msg[0] === ASK) {
          const diff = Y.encodeStateAsUpdate(doc, body);
          // An empty diff is two bytes (no structs, empty delete set): nothing to tell.
          if (diff.length > 2) this.send(sessionId, ANSWER, diff);
        } else if (msg[0] === UPDATE || msg[0] === ANSWER) {
          Y.applyUpdate(doc, body, this.origin);
        }
      } catch (e) {
        console.error(`[cluster] yjs message for ${sessionId} refused:`, (e as Error).message);
      }
    };
    doc.on('update', onUpdate);
    let attached = true;
    this.sub
      .subscribe(channel, onMessage, true)
      .then(() => {
        if (attached) this.send(sessionId, ASK, Y.encodeStateVector(doc));
      })
      .catch((e: Error) => console.error('[cluster] yjs subscribe failed:', e.message));
    return () => {
      if (!attached) return;
      attached = false;
      doc.off('update', onUpdate);
      this.sub.unsubscribe(channel, onMessage, true).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.sub.quit().catch(() => undefined);
  }
}
