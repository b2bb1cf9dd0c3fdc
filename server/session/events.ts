import type { z } from 'zod';
import type { COMMANDS, CommandName } from '../../shared/protocol/commands';
import type { NewEvent, StoredEvent } from '../store/types';
import type { Reducer, SessionState } from './types';

// Event payloads typed once per concern, so that the handler that writes an event and the reducer
// that folds it agree, with no `e.payload as {…}` in a reducer (issue 17). Where an event carries what
// its command carried, its type is derived from the command's zod schema (`Cmd`), so a change of the
// schema reaches the reducers. A concern declares its events as a map, e.g.
//   type RoundEvents = { 'round:note_saved': Pick<Cmd<'round:note'>, 'supplierId' | 'text'> & { memberId: string } };
// then writes them with `eventOf<RoundEvents>()` and folds them with `typedReducers<RoundEvents>({…})`.

/** What a command carries, without its id: z.infer of its schema in shared/protocol. */
export type Cmd<N extends CommandName> = Omit<z.infer<(typeof COMMANDS)[N]>, 'id'>;

/** A committed event whose payload has the type its concern declared. */
export type EventWith<P> = Omit<StoredEvent, 'payload'> & { readonly payload: P };

/** Reducers keyed by event type, each receiving its event's declared payload type. */
export function typedReducers<M>(r: { [K in keyof M]: (s: SessionState, e: EventWith<M[K]>) => void }): Record<string, Reducer> {
  // The log holds only what the concern's own handlers wrote (through eventOf), so the payload has
  // the declared type; the kernel itself passes events untyped.
  return r as unknown as Record<string, Reducer>;
}

/** A maker of the concern's events: the payload must have the type declared for that event type. */
export function eventOf<M>() {
  return <K extends keyof M & string>(type: K, payload: M[K]): NewEvent => ({ type, payload });
}

/** The events of one type in a log read back (the report, the archive's verifier), each with the
 *  payload its concern declared: the log holds only what that concern wrote through eventOf. */
export function logOf<M>() {
  return <K extends keyof M & string>(events: readonly StoredEvent[], type: K): EventWith<M[K]>[] =>
    events.filter((e) => e.type === type) as unknown as EventWith<M[K]>[];
}
