import type { ScreenSection, StaffScreenSection } from '../../shared/protocol/views';
import { DomainError, type Concern } from '../session/types';
import { allowedScenes, sceneRefusal } from './scenes';
import { eventOf, typedReducers, type Cmd } from '../session/events';

type ProjectorEvents = { 'screen:scene_changed': Cmd<'screen:scene'> };
const ev = eventOf<ProjectorEvents>();

// What the wall shows is chosen on the console (docs/views.md "Projector screen"), among the scenes
// the stage allows (scenes.ts). A scene chosen earlier that the stage no longer allows (the round
// scene after the consultation) is not shown: the wall falls back to the welcome scene.
export const projectorConcern: Concern = {
  name: 'projector',
  handlers: {
    'screen:scene': ({ state }, p: Cmd<'screen:scene'>) => {
      const why = sceneRefusal(state, p.scene);
      if (why) throw new DomainError('wrong_stage', { zh: `现在不能投影该画面：${why.zh}`, en: `this scene cannot be shown now: ${why.en}` }, 'scene');
      if (state.screen.scene === p.scene) return { events: [], data: { scene: p.scene } };
      return { events: [ev('screen:scene_changed', { scene: p.scene })], data: { scene: p.scene } };
    },
  },
  reducers: typedReducers<ProjectorEvents>({
    'screen:scene_changed': (s, e) => {
      s.screen.scene = e.payload.scene;
    },
  }),
  view: (s, viewer) => {
    const chosen = s.screen.scene;
    const scene = sceneRefusal(s, chosen) ? 'welcome' : chosen;
    return viewer.role === 'moderator' ? { screen: { scene, chosen, allowed: allowedScenes(s) } satisfies StaffScreenSection } : { screen: { scene } satisfies ScreenSection };
  },
};
