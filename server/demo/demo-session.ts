import type { SessionCreateInput } from '../../shared/protocol/session-create';
import { DEMO_REQUIREMENTS } from './requirements';

// The demo session `npm start` creates on an empty database: seed 003 (石景山区道路扬尘敏感路段研究,
// 竞争性磋商), 5 members (one of them the purchaser representative, one the leader), 4 suppliers,
// the agency's moderator and an observer (issue 2), and the project's own requirements document (issue 14).
export const DEMO_SESSION: SessionCreateInput = {
  rubric: 'seed003',
  requirements: DEMO_REQUIREMENTS,
  settings: { governmentServices: true },
  moderator: { name: '王主持', org: '中钰招标有限公司' },
  members: [
    { name: '李明', role: 'expert', leader: true },
    { name: '张华', role: 'expert' },
    { name: '陈静', role: 'expert' },
    { name: '刘洋', role: 'expert' },
    { name: '赵敏', role: 'purchaser_rep', org: '北京市石景山区生态环境局' },
  ],
  suppliers: [
    { name: '周强', org: '北京清风环境科技有限公司', contact: '010-66660001' },
    { name: '吴婷', org: '中环绿源（北京）咨询有限公司', contact: '010-66660002' },
    { name: '郑凯', org: '京华生态研究院有限公司', contact: '010-66660003' },
    { name: '孙蕾', org: '蓝天数据技术（北京）有限公司', contact: '010-66660004' },
  ],
  observers: [{ name: '钱监督', org: '石景山区财政局' }],
};
