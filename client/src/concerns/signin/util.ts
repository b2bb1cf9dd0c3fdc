import type { Ack } from '../../../../shared/protocol/ack';
import { t } from '../../lib/i18n.svelte';

/** The refusal of an ack in the reader's language, or null when it went through. */
export const refusal = (ack: Ack): string | null => (ack.ok ? null : t({ zh: ack.error.message, en: ack.error.messageEn }));
