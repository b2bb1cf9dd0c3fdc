import type { Checklists } from './checklists';

// Seed 000's review tables (docs/consultation-method.md): the initial review (初审) of the first
// response, qualification and substance except contract terms and technical part (磋商文件第一章 18.1,
// 18.4; the qualification documents of 第三章 附件5), and the final review (终审) of the final
// response, contract terms and technical part (第一章 19.3, the grounds for rejection of 19.5).
export const SEED000_CHECKLISTS: Checklists = {
  qualification: [
    { id: 'Q1', text_zh: '营业执照等证明文件', detail_zh: '营业执照、事业单位法人证书、执业许可证或身份证复印件（附件5-1）', clarificationAllowed: false },
    { id: 'Q2', text_zh: '纳税证明', detail_zh: '最近6个月内任意1个月的纳税证明（附件5-2）', clarificationAllowed: false },
    { id: 'Q3', text_zh: '社会保障资金缴纳记录', detail_zh: '最近6个月内任意1个月的社会保障资金缴纳记录（附件5-3）', clarificationAllowed: false },
    { id: 'Q4', text_zh: '财务状况报告', detail_zh: '财务状况报告或银行资信证明（附件5-4）', clarificationAllowed: false },
    { id: 'Q5', text_zh: '近三年经营活动中无重大违法记录声明', detail_zh: '附件5-5', clarificationAllowed: false },
  ],
  compliance: [
    { id: 'C1', text_zh: '磋商保证金', detail_zh: '按磋商文件规定交纳磋商保证金（第一章 18.4（1））', clarificationAllowed: false },
    { id: 'C2', text_zh: '密封、签署、盖章', detail_zh: '按磋商文件规定要求密封、签署、盖章（第一章 18.4（2））', clarificationAllowed: false },
    { id: 'C3', text_zh: '其他实质性要求（合同条款和技术部分除外）', detail_zh: '符合法律、法规和磋商文件中规定的其他实质性要求（第一章 18.4（4））', clarificationAllowed: true },
  ],
  final: [
    { id: 'F1', text_zh: '按时递交最终磋商响应文件', detail_zh: '按照磋商小组的要求按时递交最终磋商响应文件（第一章 19.5（1））', clarificationAllowed: false },
    { id: 'F2', text_zh: '最终磋商响应文件的签署、盖章', detail_zh: '按磋商小组的要求签署、盖章（第一章 19.5（2））', clarificationAllowed: false },
    { id: 'F3', text_zh: '合同条款及服务需求的实质性要求', detail_zh: '满足合同条款及服务需求实质性要求（第一章 19.3、19.5（3））', clarificationAllowed: true },
    { id: 'F4', text_zh: '其他实质性要求', detail_zh: '符合法律、法规和磋商文件中规定的其他实质性要求（第一章 19.5（4））', clarificationAllowed: false },
  ],
};

/** The review tables a session created from a shipped template starts with (editable in set-up). */
export const TEMPLATE_CHECKLISTS: Partial<Record<string, Checklists>> = { seed000: SEED000_CHECKLISTS };
