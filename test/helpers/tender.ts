// A seed-004 public tender as the integration tests drive it (tender.test.ts, report-english.test.ts): a
// committee of four experts and a purchaser representative, three bidders; one bidder's name holds
// 「供应商」, which the 评标报告 keeps as written (docs/tender.md "Words").
export const TENDER_SESSION = {
  rubric: 'seed004',
  moderator: { name: '王主持', org: '金信建设工程造价咨询有限公司' },
  members: [
    { name: '甲专家', role: 'expert', leader: true },
    { name: '乙专家', role: 'expert' },
    { name: '丙专家', role: 'expert' },
    { name: '丁专家', role: 'expert' },
    { name: '戊代表', role: 'purchaser_rep' },
  ],
  suppliers: [
    { name: '张三', org: '白银甲物流有限公司' },
    { name: '李四', org: '甘肃乙人力资源有限公司' },
    { name: '王五', org: '兰州丙物资供应商服务有限公司' },
  ],
};
