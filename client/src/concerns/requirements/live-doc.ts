import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { yjsProtocols } from '../../../../shared/protocol/yjs';

// The panel's live requirements document over the Yjs endpoint (/yjs/<sessionId>; the join token goes in
// the Sec-WebSocket-Protocol header, never in the URL: shared/protocol/yjs.ts). A plain
// textarea is bound to the shared Y.Text: local input becomes one replace per change (common head and
// tail kept), remote changes move the caret by the delta so that a co-editor's typing does not jump it.

export interface LiveDoc {
  doc: Y.Doc;
  text: Y.Text;
  provider: WebsocketProvider;
  destroy(): void;
}

export function openLiveDoc(sessionId: string, token: string): LiveDoc {
  const doc = new Y.Doc();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
  // No BroadcastChannel: two tabs of one browser must not bypass the server's read-only checks.
  const provider = new WebsocketProvider(url, sessionId, doc, { protocols: yjsProtocols(token), disableBc: true });
  return {
    doc,
    text: doc.getText('requirements'),
    provider,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

const LOCAL = 'textarea';

export function bindTextarea(ta: HTMLTextAreaElement, live: LiveDoc, editable: () => boolean): () => void {
  const { text, doc } = live;
  ta.value = text.toString();
  let composing = false;

  const push = () => {
    if (!editable()) {
      ta.value = text.toString();
      return;
    }
    const old = text.toString();
    const now = ta.value;
    if (old === now) return;
    let a = 0;
    while (a < old.length && a < now.length && old[a] === now[a]) a++;
    let eo = old.length;
    let en = now.length;
    while (eo > a && en > a && old[eo - 1] === now[en - 1]) {
      eo--;
      en--;
    }
    doc.transact(() => {
      if (eo > a) text.delete(a, eo - a);
      if (en > a) text.insert(a, now.slice(a, en));
    }, LOCAL);
  };
  const onInput = (e: Event) => {
    if (composing || (e as InputEvent).isComposing) return;
    push();
  };
  const onStart = () => (composing = true);
  const onEnd = () => {
    composing = false;
    push();
  };
  const observer = (ev: Y.YTextEvent, tr: Y.Transaction) => {
    if (tr.origin === LOCAL) return;
    let s0 = ta.selectionStart;
    let s1 = ta.selectionEnd;
    let i = 0;
    for (const d of ev.delta) {
      if (d.retain) i += d.retain;
      else if (typeof d.insert === 'string') {
        const n = d.insert.length;
        if (i <= s0) s0 += n;
        if (i < s1) s1 += n;
        i += n;
      } else if (d.delete) {
        if (i < s0) s0 -= Math.min(d.delete, s0 - i);
        if (i < s1) s1 -= Math.min(d.delete, s1 - i);
      }
    }
    ta.value = text.toString();
    if (document.activeElement === ta) ta.setSelectionRange(s0, s1);
  };
  ta.addEventListener('input', onInput);
  ta.addEventListener('compositionstart', onStart);
  ta.addEventListener('compositionend', onEnd);
  text.observe(observer);
  return () => {
    ta.removeEventListener('input', onInput);
    ta.removeEventListener('compositionstart', onStart);
    ta.removeEventListener('compositionend', onEnd);
    text.unobserve(observer);
  };
}
