// What the server sends (server → client). Views are projections per role: a client only ever
// receives the view its principal may see.
export interface ViewSnapshot {
  seq: number;
  serverTime: number;
  view: Record<string, unknown>;
}

/** Top-level sections that changed since the last view sent to this client. */
export interface ViewPatch {
  seq: number;
  /** The seq this patch applies on; a client whose seq differs asks for a resync. */
  base: number;
  serverTime: number;
  set: Record<string, unknown>;
  del: string[];
}

export interface ServerToClient {
  'view:snapshot': (s: ViewSnapshot) => void;
  'view:patch': (p: ViewPatch) => void;
  'session:revoked': (r: { message: string; messageEn: string }) => void;
  /** A live notice (not in the log), e.g. to the moderator when a device trips its rate limit. */
  'session:notice': (n: { kind: string; personId?: string; message: string; messageEn: string }) => void;
}
