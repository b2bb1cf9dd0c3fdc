import type { Scene } from '../../shared/protocol/foundation';
import type { Bilingual, SessionState } from '../session/types';
import { quotesOf } from '../quotes/state';
import { scoringOf } from '../scoring/state';
import { reqOf } from '../requirements/state';

// Which scenes the stage allows on the wall (docs/views.md "Projector screen": "Nothing confidential
// can be sent to the wall: the scene list offers only what the stage allows"). Each rule says why a
// scene is not allowed yet, in both languages; the console offers only the allowed ones and the server
// refuses the others.

const SIGNIN_STAGES = ['setup', 'signin', 'opening'];
const AFTER_QUOTES = ['final_quote', 'scoring', 'recheck', 'signing', 'archived'];

type Rule = (s: SessionState) => Bilingual | null;

export const SCENE_RULES: Record<Scene, Rule> = {
  welcome: () => null,
  blank: () => null,
  signin: (s) => (SIGNIN_STAGES.includes(s.stage) ? null : { zh: '签到情况只在签到与开场阶段投影', en: 'the sign-in board is shown only during sign-in and opening' }),
  // A supplier's sitting is shown only while consulting (003 Ch3 §2.1).
  round: (s) => (s.stage === 'consultation' ? null : { zh: '磋商轮次只在磋商阶段投影', en: 'rounds are shown only during the consultation' }),
  // A published change went to every supplier at once (003 Ch3 §2.3 L629): not confidential once published.
  change: (s) => (reqOf(s)?.versions?.length ? null : { zh: '尚未发布任何实质性变动', en: 'no substantive change has been published' }),
  quotes: (s) => (s.stage === 'final_quote' && quotesOf(s)?.window ? null : { zh: '最后报价尚未开始', en: 'the final-quote window has not opened' }),
  // Sealed until the window closed (docs/rules.md §2.11): no amount reaches the wall before.
  reveal: (s) =>
    AFTER_QUOTES.includes(s.stage) && quotesOf(s)?.closedAt ? null : { zh: '最后报价截止前不能揭示报价', en: 'quotes cannot be revealed before the window has closed' },
  // Results reach the wall only when the moderator releases them (issue 6).
  results: (s) => (scoringOf(s)?.released ? null : { zh: '评审结果尚未发布', en: 'the results have not been released' }),
  signing: (s) => (s.stage === 'signing' || s.stage === 'archived' ? null : { zh: '签署进度只在签署阶段投影', en: 'signing progress is shown only during signing' }),
};

export const sceneRefusal = (s: SessionState, scene: Scene): Bilingual | null => SCENE_RULES[scene](s);

export const allowedScenes = (s: SessionState): Scene[] => (Object.keys(SCENE_RULES) as Scene[]).filter((sc) => !SCENE_RULES[sc](s));
