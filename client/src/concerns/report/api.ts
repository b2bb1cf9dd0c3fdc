import type { Connection } from '../../lib/connection.svelte';

// The report travels over HTTP with the join token as a bearer (never in a URL: it would be logged);
// the room's view carries only who has signed.
export async function fetchReport(conn: Connection, path: 'report.html' | 'report.pdf' | 'archive.zip', query = ''): Promise<Response> {
  const id = conn.view.session?.id;
  return fetch(`/api/sessions/${encodeURIComponent(id ?? '')}/${path}${query}`, { headers: { authorization: `Bearer ${conn.token}` } });
}

/** Downloads a file the server sends as an attachment, through a temporary object URL. */
export async function download(conn: Connection, path: 'report.pdf' | 'archive.zip', query = ''): Promise<string | null> {
  const res = await fetchReport(conn, path, query);
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    return body?.error?.message ?? `HTTP ${res.status}`;
  }
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? path;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = decodeURIComponent(name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}

export const GROUNDS = [
  { id: 'summing_error', zh: '分值汇总计算错误', en: 'Summing error' },
  { id: 'out_of_range', zh: '分项评分超出评分标准范围', en: 'Item score outside the scoring standard' },
  { id: 'objective_inconsistent', zh: '评审小组成员对客观评审因素评分不一致', en: 'Objective factor scored inconsistently' },
  { id: 'abnormal_score', zh: '经评审小组认定评分畸高、畸低', en: 'Score determined abnormally high or low' },
] as const;
