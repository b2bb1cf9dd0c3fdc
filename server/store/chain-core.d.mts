// Types of chain-core.mjs (the hash chain's arithmetic in plain JavaScript, issue 15 item 4).
export declare function canonicalJson(v: unknown): string;
export declare const sha256: (s: string | Buffer) => string;
export declare const GENESIS_HASH: string;
export declare function eventHash(
  prevHash: string,
  e: { sessionId: string; seq: number; type: string; ts: number; actor: unknown; commandId: string | null; payload: unknown },
): string;
