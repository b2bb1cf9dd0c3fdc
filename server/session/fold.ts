import type { StoredEvent } from '../store/types';
import type { Kernel } from './kernel';
import type { SessionState, ViewPart } from './types';

// The state's folding itself is the kernel's (kernel.ts). What stays here: the key tracking the
// realtime layer's view memo relies on, and the view parts it builds views from.

/** The view parts of the app's kernel, for the realtime layer (server/realtime/views.ts,
 *  view-memo.ts), installed by server/app.ts. To go once the realtime layer takes them from
 *  `registry.kernel.viewParts` (h15 rewrites server/realtime/*). */
export const VIEW_PARTS: { name: string; view: ViewPart }[] = [];
export function installViewParts(kernel: Kernel): void {
  VIEW_PARTS.splice(0, VIEW_PARTS.length, ...kernel.viewParts);
}
