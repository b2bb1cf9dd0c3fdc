import { describe, expect, it } from 'vitest';
import { reviewConcern } from '../../../server/review/concern';
import { emptyReview, reviewOf, voteOf } from '../../../server/review/state';
import type { SessionState } from '../../../server/session/types';
import type { StoredEvent } from '../../../server/store/types';

// One vote object per answer (issue 15: memory per room; docs/architecture.md "One vote object per
// answer"): a room's review holds a vote per member, supplier and item, nearly all a pass with no
// reason; those are one shared, frozen object, and a vote with a reason is its own.
describe('the review votes a room holds', () => {
  it('a pass or a fail without a reason is one shared, frozen vote; one with a reason its own', () => {
    expect(voteOf(true, '')).toBe(voteOf(true, ''));
    expect(voteOf(false, '')).toBe(voteOf(false, ''));
    expect(voteOf(true, '')).toEqual({ pass: true, reason: '' });
    expect(voteOf(false, '')).toEqual({ pass: false, reason: '' });
    expect(Object.isFrozen(voteOf(true, ''))).toBe(true);
    const failed = voteOf(false, '营业执照已过期');
    expect(failed).toEqual({ pass: false, reason: '营业执照已过期' });
    expect(failed).not.toBe(voteOf(false, '营业执照已过期'));
  });

  it('the reducer stores the shared vote for every pass, and a vote replaced is replaced, not changed', () => {
    const s = { review: emptyReview() } as unknown as SessionState;
    const voted = reviewConcern.reducers['review:voted'];
    let seq = 0;
    const ev = (memberId: string, itemId: string, pass: boolean, reason: string) =>
      voted(s, { seq: ++seq, type: 'review:voted', ts: 1_796_000_000_000 + seq, payload: { phase: 'review', supplierId: 'S1', itemId, memberId, pass, reason, at: 1_796_000_000_000 + seq } } as unknown as StoredEvent);
    ev('M1', 'Q1-1', true, '');
    ev('M2', 'Q1-1', true, '');
    ev('M1', 'Q1-2', true, '');
    const v = reviewOf(s).votes.review.S1;
    expect(v['Q1-1'].M1).toBe(v['Q1-1'].M2);
    expect(v['Q1-2'].M1).toBe(v['Q1-1'].M1);
    // M2 changes its mind with a reason: its own vote; M1's is untouched.
    ev('M2', 'Q1-1', false, '未提供社保缴纳证明');
    expect(v['Q1-1'].M2).toEqual({ pass: false, reason: '未提供社保缴纳证明' });
    expect(v['Q1-1'].M1).toEqual({ pass: true, reason: '' });
  });
});
