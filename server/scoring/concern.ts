import type { Concern } from '../session/types';
import { handlers } from './handlers';
import { reducers } from './reducers';
import { scoringOwnView, scoringView } from './view';
import { emptySlice, allSubmitted, progress, scoringEvent } from './state';
import { reviewPending } from './flags';
import { tiePending } from './ranking-vote';
import { scoringOf } from './state';

// The scoring concern: independent scoring (docs/rules.md §2.16), the anomaly review (docs/anomaly.md), the
// results with their tie-break (docs/rules.md §2.18–2.20) and the lock at signing (docs/rules.md §2.21).
export const scoringConcern: Concern = {
  name: 'scoring',
  init: (s) => {
    s.scoring = emptySlice();
  },
  handlers,
  reducers,
  view: scoringView,
  ownView: scoringOwnView,
  leave: {
    // Every active member has submitted every active supplier (000 §20.3 L328: each member scores).
    scoring: (s) => {
      if (allSubmitted(s)) return null;
      const missing = progress(s).reduce((a, p) => a + (p.of - p.submitted), 0);
      return { zh: `尚有 ${missing} 份评分未提交`, en: `${missing} score sheet(s) not submitted yet` };
    },
    // No blocking flag, every REVIEW flag answered and disposed, ties decided, results released.
    recheck: (s) => {
      const why = reviewPending(s) ?? tiePending(s);
      if (why) return why;
      if (!scoringOf(s).released) return { zh: '评审结果尚未公布', en: 'the results have not been released' };
      return null;
    },
  },
  onEnter: {
    // Once the summary is locked only the four legal grounds reopen it (000 说明7 L464-474;
    // 004 §5.2.5(2) L1249-1257; docs/rules.md §2.21 Derived "lock scores at summary time").
    signing: () => [scoringEvent('scoring:locked', {})],
  },
};
