// Review checklists (资格审查, 符合性审查 and, where the document has one, 终审). Defaults are seed
// 003's tables (003 Ch3 §1.3 L584-608; §1.4 L612-622); each item says whether a failure may be
// clarified (澄清) rather than failing at once (003 Ch3 §2.5.2 L637; docs/rules.md §2.5 Derived).
export type ChecklistKind = 'qualification' | 'compliance' | 'final';

export interface ChecklistItem {
  id: string;
  text_zh: string;
  detail_zh?: string;
  clarificationAllowed: boolean;
}

export interface Checklists {
  qualification: ChecklistItem[];
  compliance: ChecklistItem[];
  /** 终审 (seed 000 §19.3): empty when the document has no final review. */
  final: ChecklistItem[];
}

export const CHECKLIST_LABEL: Record<ChecklistKind, { zh: string; en: string }> = {
  qualification: { zh: '资格审查', en: 'Qualification review' },
  compliance: { zh: '符合性审查', en: 'Compliance review' },
  final: { zh: '终审', en: 'Final review' },
};

export const DEFAULT_CHECKLISTS: Checklists = {
  qualification: [
    { id: 'Q1-1', text_zh: '营业执照等证明文件', detail_zh: '有效的营业执照、事业单位法人证书或执业许可证、登记证书等', clarificationAllowed: false },
    { id: 'Q1-2', text_zh: '供应商资格声明书', detail_zh: '提供了符合磋商文件要求的《供应商资格声明书》（实质性格式）', clarificationAllowed: false },
    { id: 'Q1-3', text_zh: '供应商信用记录', detail_zh: '信用中国、中国政府采购网查询：未被列入失信被执行人、重大税收违法案件当事人、政府采购严重违法失信行为记录名单', clarificationAllowed: false },
    { id: 'Q1-4', text_zh: '法律、行政法规规定的其他条件', clarificationAllowed: false },
    { id: 'Q2-1', text_zh: '中小企业政策证明文件', detail_zh: '项目预留份额专门面向中小企业时提供中小企业声明函等', clarificationAllowed: false },
    { id: 'Q3-1', text_zh: '联合体要求', detail_zh: '接受联合体且为联合体时提供《联合协议》', clarificationAllowed: false },
    { id: 'Q3-2', text_zh: '政府购买服务承接主体要求', detail_zh: '不属于公益一类事业单位、使用事业编制且由财政拨款保障的群团组织', clarificationAllowed: false },
    { id: 'Q4', text_zh: '磋商保证金', detail_zh: '按照磋商文件的要求提交磋商保证金', clarificationAllowed: false },
    { id: 'Q5', text_zh: '获取磋商文件', detail_zh: '在规定期限内通过电子交易平台获取磋商文件', clarificationAllowed: false },
  ],
  compliance: [
    { id: 'C1', text_zh: '磋商报价未超预算', detail_zh: '没有因报价超过预算金额或者最高限价导致采购人无法支付', clarificationAllowed: false },
    { id: 'C2', text_zh: '响应有效期', detail_zh: '响应有效期 ≥ 90 个日历日', clarificationAllowed: false },
    { id: 'C3', text_zh: '授权委托书和法定代表人（单位负责人）身份证明', clarificationAllowed: false },
    { id: 'C4', text_zh: '★号条款项、实质性格式', clarificationAllowed: false },
    { id: 'C5', text_zh: '文件签署、盖章', clarificationAllowed: false },
    { id: 'C6', text_zh: '文件完整性、有效性', clarificationAllowed: false },
    { id: 'C7', text_zh: '不存在法律、法规和磋商文件规定的其他无效响应情形', clarificationAllowed: false },
  ],
  final: [],
};
