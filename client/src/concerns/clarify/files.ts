// Attachments come over HTTP with the device's own join token (never inside a view), then open as a blob.
export async function openAttachment(token: string, url: string, name: string): Promise<string | null> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return `${res.status}`;
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.target = '_blank';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  return null;
}

/** Reads a chosen file as base64 (without the data: prefix). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

export const remaining = (deadline: number, now: number): string => {
  const s = Math.max(0, Math.floor((deadline - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * An answer with a file goes over HTTP (the socket keeps its 1 MB cap), as the same `clarify:answer`
 * command with its own id, so a retry after a lost reply takes effect once.
 */
export async function postAnswer(sessionId: string, token: string, payload: Record<string, unknown>, id: string): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`/api/sessions/${sessionId}/clarify-answer`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.panelroom.command+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id, ...payload }),
      });
      return await res.json();
    } catch (e) {
      if (attempt >= 2) return { ok: false, error: { code: 'internal', message: '网络中断，答复未能送达，请重试。', messageEn: 'Network error: the answer was not delivered; try again.' } };
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
