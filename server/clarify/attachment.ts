import { createHash } from 'node:crypto';
import { ATTACHMENT_MAX_BYTES } from '../../shared/protocol/clarify';
import { invalid } from '../signin/refuse';
import type { AttachmentMeta } from './state';

// A clarification answer may carry one PDF or image (003 Ch3 §2.5.3 L639: the written answer, signed
// or sealed, is often a scanned page). The declared type must match the file's own signature, so a
// renamed executable is not passed on to the panel as a "PDF".
const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
};

export function checkAttachment(a: { name: string; mime: string; dataBase64: string }): AttachmentMeta & { data: string } {
  const bytes = Buffer.from(a.dataBase64, 'base64');
  if (bytes.length === 0) throw invalid({ zh: '附件为空', en: 'the attachment is empty' }, 'attachment');
  if (bytes.length > ATTACHMENT_MAX_BYTES) throw invalid({ zh: '附件不得超过 2 MB', en: 'the attachment must not exceed 2 MB' }, 'attachment');
  if (!MAGIC[a.mime]?.(bytes))
    throw invalid({ zh: '附件内容与所选类型不符，只接受 PDF、PNG 或 JPEG 文件', en: 'the file does not match its type; only PDF, PNG or JPEG files are accepted' }, 'attachment');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { name: a.name, mime: a.mime, size: bytes.length, sha256, data: bytes.toString('base64') };
}
