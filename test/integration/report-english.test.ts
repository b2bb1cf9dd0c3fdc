import { describe, it, expect } from 'vitest';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { TENDER_SESSION } from '../helpers/tender';
import { determinePolicy } from '../helpers/steps/policy';
import { minutedSitting } from '../helpers/steps/minutes';
import { openWindow, closeAfter, settleAll, plainSheet, quoteSignature } from '../helpers/steps/quotes';
import { submitAll, sheetFor } from '../helpers/steps/scoring';
import { signAll } from '../helpers/steps/report';
import { codeTokens, visibleText } from '../helpers/identifiers';
import { closeAfterEach } from '../helpers/per-test';

// Issue 13 item 1: the English twin of the report (`report.html?lang=en`) reads in English from the cover
// to the signature page, for a consultation and for a tender alike. What a person wrote or named (names,
// reasons, questions and answers, the minutes, the procurement document's own words, an amount's 大写)
// stays as written, marked <span class="q">, and is the only Chinese the English report may hold
// (docs/report.md "The English version").

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+/g;
/** The report's own words: the English report without what is marked as written by a person. */
const own = (html: string) => visibleText(html.replace(/<span class="q">[^<]*<\/span>/g, ' ')).replace(/\s+/g, ' ');
/** Each Chinese run left in the report's own words, with the words around it (to say where it is). */
const chineseIn = (html: string) => {
  const text = own(html);
  return [...text.matchAll(CJK)].map((m) => text.slice(Math.max(0, m.index! - 30), m.index! + m[0].length + 10));
};
const sectionsOf = (html: string) => [...html.matchAll(/<section id="(sec-[a-z-]+)">/g)].map((m) => m[1]);

async function reportOf(r: Room, lang: 'zh' | 'en'): Promise<string> {
  const res = await fetch(`${srv!.url}/api/sessions/${r.sessionId}/report.html${lang === 'en' ? '?lang=en' : ''}`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, r.ids('moderator')[0]))}` } });
  expect(res.status).toBe(200);
  return res.text();
}


const QUESTION = '请说明技术参数表第 3 行与第 12 行采样频率不一致的原因（QUESTION-CANARY）';
const ANSWER = '第 12 行为笔误，应与第 3 行一致，为每日一次（ANSWER-CANARY）';
const WITHDRAWAL = '公司经营调整（WITHDRAW-CANARY）';
const KEEP = '该方案的监测点位与频次明显不满足要求（KEEP-CANARY）';
const REVISE = '经评审小组认定，按评分标准改为12分（REVISE-CANARY）';
const DISSENT = { item: '第二名供应商的技术方案评分', position: '应列为一档', reasons: '其调查方案覆盖全部敏感路段（DISSENT-CANARY）' };

describe('the English report', () => {
  it('of a whole consultation (clarification, withdrawal, policy, minutes, correction and deduction, a flag determined and revised, a dissent) reads in English everywhere but in what people wrote', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    await driveTo(r, 'review');
    // A clarification asked and answered; a withdrawal with the supplier's reason; a small enterprise
    // accepted (its price deduction in 十).
    const d = await r.ok('M3', 'clarify:draft', { supplierId: 'S2', question: QUESTION, minutes: 20 });
    await r.ok('A1', 'clarify:send', { clarificationId: d.data.clarificationId });
    await r.ok('S2', 'clarify:answer', { clarificationId: d.data.clarificationId, text: ANSWER, signer: '代表S2', confirmStatement: true });
    await r.ok('S4', 'supplier:withdraw', { reason: WITHDRAWAL });
    await determinePolicy(r, 'S1', { kind: 'small_micro', enterprise: 'small' }, true);

    await driveTo(r, 'consultation');
    await minutedSitting(r);
    await driveTo(r, 'final_quote');
    // S1's words (壹佰贰拾叁万元整) differ from its figures: the words govern (an arithmetic correction).
    const deadline = await openWindow(r);
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: { ...plainSheet('1234000.00'), amountInWords: '壹佰贰拾叁万元整', lines: [] }, acknowledgedMismatch: true });
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2', 1), missingItemsIncluded: true, sheet: plainSheet('1300000.00') });
    await r.ok('S3', 'quotes:submit', { signature: quoteSignature('S3', 2), missingItemsIncluded: true, sheet: plainSheet('1350000.00') });
    await closeAfter(r, deadline);
    await settleAll(r);
    await advance(r);

    // Scoring: M5 gives S2 2 points on factor 7 where the others give 12 (an R3 flag); M5 keeps it with
    // a reason, the panel determines it abnormal, M5 revises.
    await driveTo(r, 'scoring');
    await submitAll(r, (m, sid, i, f) => ({ ...sheetFor(f, (x) => (x.id === '3' ? i : 0)), ...(m === 'M5' && sid === 'S2' ? { '7': { value: '2' } } : {}) }));
    await advance(r);
    expect(await stageOf(r)).toBe('recheck');
    const m5 = await r.client('M5');
    await m5.waitFor((v) => v.scoring?.flags?.some((f: any) => f.rule === 'R3'));
    const flag = m5.view.scoring.flags.find((f: any) => f.rule === 'R3');
    await r.ok('M5', 'anomaly:keep', { flagKey: flag.key, reason: KEEP });
    for (const m of r.ids('panel')) await r.ok(m, 'anomaly:vote', { flagKey: flag.key, verdict: 'abnormal', reason: '明显偏离评分标准' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.scoring.flags.find((f: any) => f.key === flag.key)?.awaitingCorrection);
    await r.ok('M5', 'score:revise', { supplierId: 'S2', factorId: '7', value: '12', reason: REVISE, flagKey: flag.key });
    await mod.waitFor((v) => v.scoring.pending === null);
    await driveTo(r, 'signing');
    await signAll(r, { M2: DISSENT });

    const zh = await reportOf(r, 'zh');
    const en = await reportOf(r, 'en');
    expect(en).toContain('<html lang="en">');
    // The same sections, and each holds what happened: what people wrote is in both, as written.
    expect(sectionsOf(en)).toEqual(sectionsOf(zh));
    expect(sectionsOf(en).length).toBeGreaterThanOrEqual(17);
    for (const canary of ['QUESTION-CANARY', 'ANSWER-CANARY', 'WITHDRAW-CANARY', 'KEEP-CANARY', 'REVISE-CANARY', 'DISSENT-CANARY', 'MINUTES-CANARY']) {
      expect(visibleText(zh), canary).toContain(canary);
      expect(visibleText(en), canary).toContain(canary);
    }
    // The whole English report: no Chinese in its own words, section by section.
    for (const id of ['sec-cover', ...sectionsOf(en)]) {
      const from = en.indexOf(`id="${id}"`);
      const html = en.slice(from, en.indexOf(id === 'sec-cover' ? '</header>' : '</section>', from));
      expect(html.length, id).toBeGreaterThan(80);
      expect(chineseIn(html), `Chinese in the report's own words in the English ${id}`).toEqual([]);
    }
    expect(chineseIn(en.slice(en.indexOf('<body'))), 'Chinese in the English report').toEqual([]);
    const text = own(en);
    expect(text).toMatch(/2\. Notice, sign-in and opening/);
    expect(text).toMatch(/Withdrew of its own accord:/);
    expect(text).toMatch(/Corrected: 1,230,000\.00 yuan|Corrected: 1230000\.00 yuan/);
    expect(text).toMatch(/Abnormal-score determination The panel determines: abnormal/);
    expect(text).toMatch(/Purchaser rep\. keeps the score:/);
    expect(text).toMatch(/Recommendation .* Withdrew /);
    expect(text).toMatch(/Score revisions/);
    expect(text).toMatch(/Dissent of Expert 2/);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4} \d{1,2}:\d{2}/);
    // No code identifier in either version.
    expect(codeTokens(visibleText(en))).toEqual([]);
    expect(codeTokens(visibleText(zh))).toEqual([]);
  }, 240_000);

  it('of a tender (opening record, bid prices) reads in English, in the tender’s words', async () => {
    srv = await startServer();
    room = await openRoom(srv, TENDER_SESSION);
    await driveTo(room, 'signing');
    const zh = await reportOf(room, 'zh');
    const en = await reportOf(room, 'en');
    expect(sectionsOf(en)).toEqual(sectionsOf(zh));
    expect(en).toContain('Bid evaluation report');
    for (const id of ['sec-cover', ...sectionsOf(en)]) {
      const from = en.indexOf(`id="${id}"`);
      const html = en.slice(from, en.indexOf(id === 'sec-cover' ? '</header>' : '</section>', from));
      expect(chineseIn(html), `Chinese in the report's own words in the English tender ${id}`).toEqual([]);
    }
    const text = own(en);
    expect(text).toContain('Opening record (bid form)');
    expect(text).not.toMatch(/sitting/i);
    expect(text).toMatch(/Bidder/);
    expect(text).not.toMatch(/\bsupplier/i);
    // Chapters numbered in order (no consultation or requirements chapters in a tender).
    expect([...en.matchAll(/<h2>(\d+)\. /g)].map((m) => Number(m[1]))).toEqual(Array.from({ length: [...en.matchAll(/<h2>(\d+)\. /g)].length }, (_, i) => i + 1));
    expect(codeTokens(visibleText(en))).toEqual([]);
  }, 240_000);
});
