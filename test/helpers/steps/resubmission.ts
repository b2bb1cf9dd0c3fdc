import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { tokenOf, linkFor } from '../server';
import type { Room } from '../room';
import { liveText } from '../../../server/requirements/live-text';
import { yjsProtocols } from '../../../shared/protocol/yjs';

// A published substantive change (server/requirements/): the panel leader M1 edits the shared requirements
// text over Yjs, the moderator proposes the version, the purchaser representative M5 confirms it. The
// provider is pushed onto `providers` for the caller to destroy. Returns the version number.
export async function publishChange(r: Room, providers: WebsocketProvider[], line = '\n5. 扬尘监测点位由 20 个增加至 30 个。'): Promise<number> {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(r.srv.url.replace(/^http/, 'ws') + '/yjs', r.sessionId, doc, {
    protocols: yjsProtocols(tokenOf(linkFor(r.links, 'M1'))),
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
  });
  providers.push(p);
  for (let i = 0; !p.synced && i < 250; i++) await new Promise((res) => setTimeout(res, 20));
  const t = doc.getText('requirements');
  t.insert(t.length, line);
  const tail = line.trim().slice(-6);
  for (let i = 0; !(liveText(r.sessionId) ?? '').endsWith(tail) && i < 250; i++) await new Promise((res) => setTimeout(res, 20));
  const v = (await r.ok('A1', 'requirements:propose')).data.version as number;
  await r.ok('M5', 'requirements:confirm', { version: v });
  return v;
}
