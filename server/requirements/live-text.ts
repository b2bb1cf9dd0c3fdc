// Where the `requirements:propose` handler reads the panel's live text. The Yjs endpoint of each
// running server registers here; handlers only read (the snapshot then travels in the event, so a
// replay never needs the live document again).
export interface LiveTextSource {
  /** The current text of the session's document, or null when this source does not serve it. */
  textOf(sessionId: string): string | null;
}

const sources = new Set<LiveTextSource>();

export const registerLiveText = (src: LiveTextSource): (() => void) => {
  sources.add(src);
  return () => sources.delete(src);
};

export function liveText(sessionId: string): string | null {
  for (const src of sources) {
    const t = src.textOf(sessionId);
    if (t !== null) return t;
  }
  return null;
}
