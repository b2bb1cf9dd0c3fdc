import type { Room } from '../room';

// The least the room must do in the stage(s) of the rounds concern before moving on (see room.ts driveTo).
// Consultation may be left as soon as no sitting is under way and no change awaits the purchaser
// representative: a fresh consultation stage holds neither, so nothing has to happen (rounds are
// optional for the stage machine; the legal minimum is checked by the quotes stage).
export const roundsSteps: Record<string, (room: Room) => Promise<void>> = {
  consultation: async () => {},
};
