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

/** A tender's checklists (docs/tender.md "Review"): the qualification list of the 招标文件's
 *  announcement (004 Ch1 二 L195-205) and its eight 符合性审查 questions (004 §5.2.1(1)② L1087-1103).
 *  A 招标文件 has no 终审. */
export const TENDER_CHECKLISTS: Checklists = {
  qualification: [
    { id: 'TQ1', text_zh: '营业执照等证件', detail_zh: '年检合格的工商营业执照、税务登记证、组织机构代码证等证件的副本或具有统一社会信用代码的营业执照副本（复印件）', clarificationAllowed: false },
    { id: 'TQ2', text_zh: '法定代表人资格证明和法人授权函', detail_zh: '附有身份证复印件的法定代表人资格证明（原件）和法人授权函（原件）；法定代表人参与投标时不提供法人授权函', clarificationAllowed: false },
    { id: 'TQ3', text_zh: '财务、社保和纳税证明', detail_zh: '2020 年度或 2021 年度财务审计报告或资信证明；投标截止日期前 6 个月内任意一个月的社会保障资金及依法缴纳税收证明材料', clarificationAllowed: false },
    { id: 'TQ4', text_zh: '信用记录', detail_zh: '未被列入“信用中国”失信被执行人、重大税收违法案件当事人名单或政府采购严重违法失信行为记录名单', clarificationAllowed: false },
    { id: 'TQ5', text_zh: '无重大违法记录声明', detail_zh: '采购活动前 3 年内在经营活动中没有重大违法记录的书面声明', clarificationAllowed: false },
  ],
  compliance: [
    { id: 'TC1', text_zh: '投标文件按照招标文件的规定编制、标注', clarificationAllowed: false },
    { id: 'TC2', text_zh: '按照招标文件的规定提交投标保证金', detail_zh: '提供电汇凭证等银行证明材料', clarificationAllowed: false },
    { id: 'TC3', text_zh: '投标文件按照招标文件要求签署、盖章', clarificationAllowed: false },
    { id: 'TC4', text_zh: '投标文件按照招标文件规定的格式填写相关内容', clarificationAllowed: false },
    { id: 'TC5', text_zh: '投标报价在招标文件中规定的预算金额或者最高限价范围内', clarificationAllowed: false },
    { id: 'TC6', text_zh: '对招标文件提出的商务、技术等要求作出实质性响应', detail_zh: '资格要求除外', clarificationAllowed: false },
    { id: 'TC7', text_zh: '不含有采购人不能接受的附加条件', clarificationAllowed: false },
    { id: 'TC8', text_zh: '能够按照评标委员会要求对投标文件进行澄清、说明或者补正', clarificationAllowed: true },
  ],
  final: [],
};

/** The checklists a new session starts with: its method's (a tender's are the 招标文件's). */
export function defaultChecklists(method: string | null | undefined): Checklists {
  return structuredClone(method === 'public_tender' ? TENDER_CHECKLISTS : DEFAULT_CHECKLISTS);
}
