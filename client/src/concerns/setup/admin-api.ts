// The agency's HTTP API, with the admin key kept in this tab's sessionStorage (entered once).
const KEY = 'panelroom.admin';

export const adminKey = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (k: string) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export interface ApiError {
  code: string;
  message: string;
  messageEn: string;
  field?: string;
}
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError; status: number };

export async function api<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey.get() ?? ''}` },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'offline', message: '无法连接服务器，请检查网络后重试。', messageEn: 'Cannot reach the server; check the network and retry.' } };
  }
  const json = (await res.json().catch(() => null)) as any;
  if (json?.ok) return { ok: true, data: json.data };
  return { ok: false, status: res.status, error: json?.error ?? { code: 'internal', message: '服务器错误', messageEn: 'Server error' } };
}

export interface Link {
  personId: string;
  name: string;
  role: string;
  label: string;
  url: string;
}
