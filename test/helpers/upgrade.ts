import WebSocket from 'ws';
import { yjsProtocols } from '../../shared/protocol/yjs';

/** A raw upgrade to the requirements document: the HTTP status of a refusal, or 101 once accepted. */
export function upgradeStatus(url: string, token?: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, token ? yjsProtocols(token) : [], origin ? { origin } : {});
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}
