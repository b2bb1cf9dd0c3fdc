import type { SupplierStanding, SuppliersSection } from '../../shared/protocol/views';
import { wallMayName } from '../projector/in-room';
import { minimumCheck } from '../../shared/rules/outcome';
import type { Concern, SessionState, Bilingual } from '../session/types';
import { eventOf, typedReducers } from '../session/events';
import type { ParticipantEvents } from '../participants/state';
import { extend } from '../../shared/extend';

// Whether each supplier is still in the evaluation. Any concern may end a supplier's participation
// by appending `supplier:invalidated` (a failed review item, a refused correction, an over-budget
// quote, an unconfirmed change, an unproven abnormal-low price…) or `supplier:withdrew` (退出, 003 Ch3
// §2.9 L647). After every elimination the remaining count is checked against the minimum
// (docs/rules.md §2.24 Derived), and the console offers the legal options.
export type SupplierStatus = SupplierStanding['status'];
export type { SupplierStanding };

/** The end of a supplier's participation, written by whichever concern ends it (with `supplierEvent`). */
export type SupplierEvents = {
  'supplier:invalidated': { supplierId: string; ground: string; reason: Bilingual };
  'supplier:withdrew': { supplierId: string; reason: Bilingual; statement: string; at: number };
};
export const supplierEvent = eventOf<SupplierEvents>();

export interface SuppliersSlice {
  standing: Record<string, SupplierStanding>;
}

export const suppliersOf = (s: SessionState): SuppliersSlice => s.suppliers as SuppliersSlice;

export function supplierIds(s: SessionState): string[] {
  return s.order.filter((id) => s.people[id].role === 'supplier');
}

export function standing(s: SessionState, id: string): SupplierStanding {
  return suppliersOf(s).standing[id] ?? { status: 'active', ground: null, reason: null, at: null, seq: null };
}

export function activeSuppliers(s: SessionState): string[] {
  return supplierIds(s).filter((id) => standing(s, id).status === 'active');
}

export type MinimumStage = 'open' | 'afterReview' | 'finalQuote' | 'continue';

/** The minimum-supplier check of docs/rules.md §2.24 for the session's rubric and project settings. */
export function minimumStatus(s: SessionState, stage: MinimumStage, count = activeSuppliers(s).length) {
  return minimumCheck(stage, count, s.rubric.rules, s.settings as any);
}

export const suppliersConcern: Concern = {
  name: 'suppliers',
  init: (s) => {
    s.suppliers = { standing: {} } satisfies SuppliersSlice;
  },
  handlers: {},
  reducers: typedReducers<SupplierEvents & Pick<ParticipantEvents, 'person:added'>>({
    'person:added': (s, e) => {
      const p = e.payload;
      if (p.role === 'supplier') suppliersOf(s).standing[p.id] = { status: 'active', ground: null, reason: null, at: null, seq: null };
    },
    'supplier:invalidated': (s, e) => {
      const p = e.payload;
      suppliersOf(s).standing[p.supplierId] = { status: 'invalid', ground: p.ground, reason: p.reason, at: e.ts, seq: e.seq };
    },
    'supplier:withdrew': (s, e) => {
      const p = e.payload;
      suppliersOf(s).standing[p.supplierId] = { status: 'withdrawn', ground: 'withdrawn', reason: p.reason, at: e.ts, seq: e.seq };
    },
  }),

  view: (s, viewer) => {
    // A supplier learns only its own standing (and, when invalid, why: 003 Ch3 §1.1 L578).
    // While a supplier sits in the room, the wall learns no other's state (issue 12, docs/projector.md).
    const ids = viewer.role === 'supplier' ? [viewer.personId] : viewer.role === 'screen' ? supplierIds(s).filter((id) => wallMayName(s, id)) : supplierIds(s);
    const out: Record<string, SupplierStanding> = {};
    for (const id of ids) out[id] = standing(s, id);
    // The wall is read by everyone in the room, suppliers' representatives included: a supplier's
    // written reason for withdrawing or the panel's reason for invalidating it is not for the wall
    // (000 §21.1 L485: nothing about the review reaches suppliers; docs/views.md "Projector screen":
    // nothing confidential). Found by test/integration/isolation.test.ts.
    if (viewer.role === 'screen') for (const id of ids) out[id] = extend(out[id], { reason: null });
    const suppliers: SuppliersSection = { standing: out };
    if (viewer.role === 'moderator' || viewer.role === 'observer' || viewer.role === 'expert' || viewer.role === 'purchaser_rep') {
      const active = activeSuppliers(s).length;
      suppliers.active = active;
      suppliers.minimum = s.rubric ? minimumStatus(s, 'continue', active) : null;
    }
    return { suppliers };
  },
};
