import type { Concern } from './types';

// Late-bound access to the list of concerns, for concerns that must consult the others (the stage
// machine asks every concern whether a stage may be left); avoids an import cycle with concerns.ts.
let list: Concern[] = [];
export const setConcernList = (l: Concern[]): void => {
  list = l;
};
export const CONCERN_LIST = (): Concern[] => list;
