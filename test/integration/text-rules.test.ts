import { describe, it, expect } from 'vitest';
import { startServer, ADMIN, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { cleanLine, cleanProse } from '../../shared/protocol/text';
import { closeAfterEach } from '../helpers/per-test';

// Issue 12, item 5: names and free text are NFC, carry no bidi controls or invisible characters, are
// refused with a bilingual error when nothing visible is left, and are bounded (shared/protocol/text.ts).

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const ZW = '\u200B\u200C\u200D\uFEFF\u2060';
const create = (body: unknown) =>
  fetch(`${srv!.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });

describe('names and free text', () => {
  it('the cleaning rules themselves', () => {
    expect(cleanLine('  \u202E赵\u200B敏\u202C ')).toBe('赵敏');
    expect(cleanLine('Jose\u0301')).toBe('José'.normalize('NFC'));
    expect(cleanLine('a\u2066b\u2069\u200Ec\u200F')).toBe('abc');
    expect(cleanLine('一\n二\t三')).toBe('一 二 三');
    expect(cleanProse('第一行\r\n\u202D第二行\u0007')).toBe('第一行\n第二行');
    expect(cleanLine(ZW)).toBe('');
  });

  it('a representative made only of invisible characters is refused at sign-in in Chinese and English; bidi controls are removed; NFC; length limit', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await room.client('S1'); // the laptop's device takes its seat (an event) before anything is counted
    const before = (await srv.store.read(room.sessionId)).length;

    const empty = await room.act('S1', 'signin:supplier', { representative: ZW, authorised: true });
    expect(empty).toMatchObject({ ok: false, error: { code: 'validation', field: 'representative' } });
    expect(empty.error.message).toContain('不能为空');
    expect(empty.error.messageEn).toContain('must not be empty');
    const long = await room.act('S1', 'signin:supplier', { representative: '长'.repeat(101), authorised: true });
    expect(long).toMatchObject({ ok: false, error: { code: 'validation', field: 'representative' } });
    expect(long.error.messageEn).toContain('at most 100');
    // A payload of invisible characters is bounded too.
    const flood = await room.act('S1', 'signin:supplier', { representative: '代表' + '\u200B'.repeat(5000), authorised: true });
    expect(flood).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect((await srv.store.read(room.sessionId)).length).toBe(before);

    await room.ok('S1', 'signin:supplier', { representative: '\u202E张\u200B三\u202C Jose\u0301', authorised: true });
    await room.ok('S2', 'signin:supplier', { representative: '李四\u2067\u200F', authorised: true });
    const signed = (await srv.store.read(room.sessionId)).filter((e) => e.type === 'signin:supplier_signed').map((e) => (e.payload as any).representative);
    expect(signed).toEqual(['张三 José'.normalize('NFC'), '李四']);
    const mod = await room.client('A1');
    await mod.waitFor((v) => v.signin?.suppliers?.filter((s: any) => s.signedIn).length === 2);
    expect(mod.view.signin.suppliers.find((s: any) => s.id === 'S1').representative).toBe('张三 José'.normalize('NFC'));

    // Free text: a reason of zero-width characters only is no reason.
    const withdraw = await room.act('S3', 'supplier:withdraw', { reason: ZW + '  ' + ZW });
    expect(withdraw).toMatchObject({ ok: false, error: { code: 'validation', field: 'reason' } });
    expect(withdraw.error.message).toContain('不可见字符不算');
  });

  it('session creation (the agency API) applies the same rules to every name', async () => {
    srv = await startServer();
    const bad = await create({ ...DEMO_SESSION, suppliers: [{ name: ZW }, ...DEMO_SESSION.suppliers.slice(1)] });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as any;
    expect(body.error).toMatchObject({ code: 'validation', field: 'suppliers[0].name' });
    expect(body.error.message).toContain('不能为空');
    expect(body.error.messageEn).toContain('must not be empty');
    expect(await srv.store.listSessionIds()).toEqual([]);

    const ok = await create({ ...DEMO_SESSION, moderator: { name: '\u202E王\u200D主持\u202C' } });
    expect(ok.status).toBe(201);
    const { data } = (await ok.json()) as any;
    const created = (await srv.store.read(data.sessionId)).map((e) => JSON.stringify(e.payload)).join('\n');
    expect(created).toContain('王主持');
    expect(created).not.toMatch(/[\u202A-\u202E\u200B-\u200D]/);
  });
});
