import { z } from 'zod';
import { line, personName, prose } from './text';

// Building blocks of payload schemas. Strings are bounded everywhere: the socket buffer is capped too,
// but a bound per field gives the user an error naming the field.
export const commandId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/);
/** Free text: NFC, no bidi or invisible characters, bounded (shared/protocol/text.ts); `min` > 0: required. */
export const text = (max = 2000, min = 0, required?: string) => prose(max, min, required);
export { line, prose };
export const name = personName;
/** A decimal amount or score as a string: no exponent, no sign, at most 2 decimals for money. */
export const money = z.string().regex(/^(0|[1-9]\d{0,11})(\.\d{1,2})?$/, '金额格式应为如 1380000.00 / amount like 1380000.00');
export const decimalString = z.string().regex(/^-?(0|[1-9]\d{0,11})(\.\d{1,6})?$/);

/** Every command carries the client's id for it, so that a retry takes effect once. */
export const command = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ id: commandId, ...shape });
