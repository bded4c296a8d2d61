/**
 * The columns of the data files the bot exports and imports, shared by both directions (issue
 * 14): the header words an export writes in the reader's language are among the words an import
 * recognises, and every kind carries the record's id, so a file exported and imported again
 * names the same records (idempotent re-import).
 *
 * `key` is the stable name code uses; `header` the words written by an export (en, zh-CN);
 * `aliases` further words an import accepts for the column (both languages). Header text is
 * compared by headerKey(): case, spaces, punctuation and full-width forms ignored.
 */

export const DATA_KINDS = ["customers", "contacts", "orders", "interactions", "surveys"] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/**
 * How a column's values are written:
 * - text: as stored (an export escapes formula-like text: spreadsheet-cell.ts);
 * - decimal: a money amount as a decimal string ("1234.50"), a number cell in XLSX;
 * - integer: a whole number (a score), a number cell in XLSX;
 * - datetime: ISO 8601 with the zone offset ("2026-03-05T10:20:00.000+08:00");
 * - date: a calendar date ("1990-05-17");
 * - code: an enumeration value as stored ("ACTIVE", "CALL", "CSAT");
 * - tags: labels joined by ", " (a tag never holds a comma: customer-fields.ts).
 */
export type ColumnType = "text" | "decimal" | "integer" | "datetime" | "date" | "code" | "tags";

export interface ColumnDefinition {
  key: string;
  header: { en: string; "zh-CN": string };
  aliases: readonly string[];
  type: ColumnType;
  /**
   * A private detail (email, phone, WeChat id, address): an export fills it only for customers
   * the reader may see privately (services/audience.ts maySeePrivate).
   */
  personal?: true;
  /**
   * Derived or bookkeeping (who entered it, when it was created, an amount in the base
   * currency): exported for the reader, not written back by an import.
   */
  derived?: true;
}

const column = (key: string, en: string, zh: string, type: ColumnType, aliases: readonly string[] = [], flags: Pick<ColumnDefinition, "personal" | "derived"> = {}): ColumnDefinition => ({
  key, header: { en, "zh-CN": zh }, aliases, type, ...flags,
});

/** The record's own id: what makes a re-import find the record it came from. */
const ID = column("id", "ID", "编号", "text", ["external id", "record id", "外部编号", "外部ID", "记录编号", "序号ID"]);
const CUSTOMER_ID = column("customerId", "Customer ID", "客户编号", "text", ["customer external id", "客户ID", "客户外部编号"]);
const CUSTOMER = column("customer", "Customer", "客户名称", "text", ["customer name", "company", "company name", "account", "客户", "公司", "公司名称", "单位", "单位名称"]);
const CREATED = column("createdAt", "Created", "创建时间", "datetime", ["created at", "creation date", "创建日期"], { derived: true });

export const COLUMNS: Readonly<Record<DataKind, readonly ColumnDefinition[]>> = {
  customers: [
    ID,
    column("name", "Customer", "客户名称", "text", ["customer name", "name", "company", "company name", "account", "客户", "公司", "公司名称", "名称", "单位", "单位名称"]),
    column("stage", "Stage", "阶段", "code", ["customer stage", "lifecycle stage", "客户阶段"]),
    column("owner", "Owner", "负责人", "text", ["account owner", "rep", "sales rep", "salesperson", "销售", "跟进人", "归属销售", "客户经理"]),
    column("industry", "Industry", "行业", "text", ["sector", "所属行业"]),
    column("website", "Website", "网站", "text", ["url", "web", "homepage", "官网", "网址"]),
    column("address", "Address", "地址", "text", ["street address", "公司地址", "详细地址"], { personal: true }),
    column("about", "About", "简介", "text", ["description", "notes", "note", "备注", "说明", "客户简介"]),
    column("tags", "Tags", "标签", "tags", ["tag", "labels", "label", "标记"]),
    column("source", "Source", "来源", "text", ["lead source", "客户来源", "渠道来源"]),
    CREATED,
  ],
  contacts: [
    ID,
    CUSTOMER_ID,
    CUSTOMER,
    column("name", "Contact", "联系人", "text", ["contact name", "name", "full name", "person", "姓名", "联系人姓名", "名字"]),
    column("title", "Title", "职位", "text", ["job title", "position", "role", "职务", "头衔"]),
    column("email", "Email", "邮箱", "text", ["e-mail", "mail", "email address", "邮件", "电子邮件", "电子邮箱", "邮箱地址"], { personal: true }),
    column("phone", "Phone", "电话", "text", ["mobile", "tel", "telephone", "phone number", "cell", "手机", "手机号", "手机号码", "联系电话", "电话号码"], { personal: true }),
    column("wechatOpenId", "WeChat ID", "微信", "text", ["wechat", "openid", "wechat openid", "微信号", "微信ID", "微信openid"], { personal: true }),
    column("birthday", "Birthday", "生日", "date", ["date of birth", "birth date", "出生日期"]),
    column("anniversary", "Anniversary", "纪念日", "date", ["周年纪念日"]),
    CREATED,
  ],
  orders: [
    ID,
    CUSTOMER_ID,
    CUSTOMER,
    column("amount", "Amount", "金额", "decimal", ["total", "value", "price", "order amount", "订单金额", "总额", "价格"]),
    column("currency", "Currency", "币种", "code", ["cur", "ccy", "货币", "币别"]),
    column("product", "Product", "产品", "text", ["item", "product name", "商品", "产品名称", "品名"]),
    column("orderedAt", "Date", "日期", "datetime", ["order date", "ordered at", "ordered", "time", "下单日期", "订单日期", "下单时间", "时间"]),
    column("baseAmount", "Base amount", "本位币金额", "decimal", ["amount in base currency", "折算金额"], { derived: true }),
    column("baseCurrency", "Base currency", "本位币", "code", [], { derived: true }),
    column("createdBy", "Entered by", "录入人", "text", ["created by", "录入者"], { derived: true }),
    CREATED,
  ],
  interactions: [
    ID,
    CUSTOMER_ID,
    CUSTOMER,
    column("contact", "Contact", "联系人", "text", ["contact name", "person", "姓名"]),
    column("channel", "Channel", "渠道", "code", ["type", "kind", "方式", "类型", "沟通方式"]),
    column("direction", "Direction", "方向", "code", ["in/out", "收发"]),
    column("body", "Text", "内容", "text", ["note", "notes", "body", "content", "message", "summary", "备注", "记录", "沟通内容", "摘要"]),
    column("occurredAt", "Date", "时间", "datetime", ["date", "time", "occurred at", "when", "日期", "沟通时间"]),
    column("author", "Logged by", "记录人", "text", ["author", "created by", "记录者"], { derived: true }),
    CREATED,
  ],
  surveys: [
    ID,
    CUSTOMER_ID,
    CUSTOMER,
    column("contact", "Contact", "联系人", "text", ["contact name", "姓名"]),
    column("kind", "Survey", "调查类型", "code", ["survey type", "type", "类型"]),
    column("status", "Status", "状态", "code", ["survey status", "调查状态"]),
    column("score", "Score", "分数", "integer", ["rating", "评分", "得分"]),
    column("comment", "Comment", "评论", "text", ["feedback", "comments", "意见", "反馈"]),
    column("servedBy", "Served by", "服务销售", "text", ["rep", "served", "服务人员"]),
    column("sentAt", "Sent", "发送时间", "datetime", ["sent at", "发送日期"]),
    column("answeredAt", "Answered", "回答时间", "datetime", ["answered at", "回复时间", "回答日期"]),
  ],
};

/**
 * A header as compared: NFKC (full-width to half-width), lower case, without white space,
 * punctuation or symbols ("Customer ID", "customer_id", "ＣＵＳＴＯＭＥＲ-ID" and "客户 编号" alike).
 */
export function headerKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Every header word of a kind's columns (both languages and the aliases), by headerKey. */
const KEYS: Readonly<Record<DataKind, ReadonlyMap<string, ColumnDefinition>>> = Object.fromEntries(
  DATA_KINDS.map((kind) => {
    const map = new Map<string, ColumnDefinition>();
    // Written headers first, so an alias never takes a word another column writes.
    for (const c of COLUMNS[kind]) for (const word of [c.header.en, c.header["zh-CN"], c.key]) if (!map.has(headerKey(word))) map.set(headerKey(word), c);
    for (const c of COLUMNS[kind]) for (const word of c.aliases) if (!map.has(headerKey(word))) map.set(headerKey(word), c);
    return [kind, map] as const;
  }),
) as unknown as Record<DataKind, ReadonlyMap<string, ColumnDefinition>>;

/** The column a header names for a kind of data, if any. */
export function findColumn(kind: DataKind, header: string): ColumnDefinition | undefined {
  return KEYS[kind].get(headerKey(header));
}

/** The header row an export writes in a language. */
export function headersFor(kind: DataKind, locale: "en" | "zh-CN"): string[] {
  return COLUMNS[kind].map((c) => c.header[locale]);
}
