import type { Scene } from '../../shared/protocol/foundation';
import { DomainError, type Concern } from '../session/types';
import { allowedScenes, sceneRefusal } from './scenes';

// What the wall shows is chosen on the console (docs/views.md "Projector screen"), among the scenes
// the stage allows (scenes.ts). A scene chosen earlier that the stage no longer allows (the round
// scene after the consultation) is not shown: the wall falls back to the welcome scene.
export const projectorConcern: Concern = {
  name: 'projector',
  handlers: {
    'screen:scene': ({ state }, p: { scene: Scene }) => {
      const why = sceneRefusal(state, p.scene);
      if (why) throw new DomainError('wrong_stage', { zh: `现在不能投影该画面：${why.zh}`, en: `this scene cannot be shown now: ${why.en}` }, 'scene');
      if (state.screen.scene === p.scene) return { events: [], data: { scene: p.scene } };
      return { events: [{ type: 'screen:scene_changed', payload: { scene: p.scene } }], data: { scene: p.scene } };
    },
  },
  reducers: {
    'screen:scene_changed': (s, e) => {
      s.screen.scene = (e.payload as any).scene;
    },
  },
  view: (s, viewer) => {
    const chosen = s.screen.scene;
    const scene = sceneRefusal(s, chosen) ? 'welcome' : chosen;
    return viewer.role === 'moderator' ? { screen: { scene, chosen, allowed: allowedScenes(s) } } : { screen: { scene } };
  },
};
