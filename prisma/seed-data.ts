/**
 * Demo data for a fresh database: a small sales team, sixty-odd customers in English and
 * Chinese, two years of orders and interactions, and a few open deals, reminders and surveys.
 *
 * Deterministic: the same `seed` and `now` give the same data (row ids aside, which are random
 * so that leftovers in tables without a foreign key to customers can never collide).
 * Idempotent: does nothing when the database already has a customer.
 */
import { randomUUID } from "node:crypto";
import type { Channel, Direction, Prisma, PrismaClient, Role, Stage } from "@prisma/client";
import { nameKeys } from "../src/domain/language/customer-name.js";
import { Decimal, ratesToBase, toBase } from "../src/domain/money.js";
import { DEFAULT_OPEN_STAGES } from "../src/domain/deals/pipeline.js";
import { REBUILD_WECHAT_WAITS_SQL, ROLLUP_KINDS, rebuildPurchaseMonthsSql, rollUpStatements, sealContactSecrets, type ContactSecrets, type FieldCipher } from "../src/store/index.js";

export interface SeedOptions {
  /** Seals the contacts' phones, emails and WeChat ids (encryption at rest). */
  cipher: FieldCipher;
  /** The demo's "today": no order or interaction is later, reminders fall after it. */
  now?: Date;
  /** PRNG seed; the same seed and `now` give the same data. */
  seed?: number;
}

export interface SeedResult {
  customers: number;
  orders: number;
  interactions: number;
  skipped: boolean;
}

export const DEFAULT_SEED = 20240601;

const DAY = 86_400_000;
const BASE_CURRENCY = "CNY";
const BATCH = 1_000;
/** Any constant will do: two demo starts at once seed one after the other, the second skips. */
const SEED_LOCK_KEY = 727_274_001;

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny 32-bit PRNG, plenty for demo and benchmark data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
  /** Standard normal (Box-Muller). */
  gauss(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Exponentially distributed gap with the given mean. */
  gap(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The team

interface RepSpec {
  key: string;
  displayName: string;
  role: Role;
  locale: "en" | "zh-CN";
  timezone: string;
  /** Which customers this rep looks after. */
  covers: readonly Lang[];
}

const REPS: readonly RepSpec[] = [
  { key: "rep-wang-wei", displayName: "Wang Wei", role: "ADMIN", locale: "zh-CN", timezone: "Asia/Shanghai", covers: ["zh"] },
  { key: "rep-maria-garcia", displayName: "Maria Garcia", role: "MANAGER", locale: "en", timezone: "Europe/Berlin", covers: ["en"] },
  { key: "rep-li-na", displayName: "Li Na", role: "REP", locale: "zh-CN", timezone: "Asia/Shanghai", covers: ["zh"] },
  { key: "rep-alex-chen", displayName: "Alex Chen", role: "REP", locale: "en", timezone: "Asia/Shanghai", covers: ["zh", "en"] },
  { key: "rep-tom-becker", displayName: "Tom Becker", role: "REP", locale: "en", timezone: "Europe/Berlin", covers: ["en"] },
];

/** The demo's sales teams (roles and teams): a lead and members, by rep key. */
const TEAMS: readonly { name: string; lead: string; members: readonly string[] }[] = [
  { name: "Europe", lead: "rep-maria-garcia", members: ["rep-tom-becker", "rep-alex-chen"] },
];

// ---------------------------------------------------------------------------------------------
// Customers

type Lang = "en" | "zh";

/**
 * How a customer buys. `period` is the typical gap between orders in days: steady customers
 * keep it, growing ones start at four times it and speed up to it (spending more each time),
 * fading ones start at it, slow to four times it and place nothing in the last `stopDaysAgo` days.
 * One-off buyers order once, `daysAgo` days before now.
 */
type Rhythm =
  | { kind: "none" }
  | { kind: "steady"; period: number }
  | { kind: "growing"; period: number }
  | { kind: "fading"; period: number; stopDaysAgo: number }
  | { kind: "oneoff"; daysAgo: number };

interface CustomerSpec {
  name: string;
  lang: Lang;
  stage: Stage;
  rhythm: Rhythm;
  currency: "CNY" | "USD" | "EUR";
  /** Typical order amount in `currency`. */
  typical: number;
  aliases?: readonly string[];
  /** Leads nobody has picked up yet. */
  unowned?: boolean;
}

const none: Rhythm = { kind: "none" };
const steady = (period: number): Rhythm => ({ kind: "steady", period });
const growing = (period: number): Rhythm => ({ kind: "growing", period });
const fading = (period: number, stopDaysAgo: number): Rhythm => ({ kind: "fading", period, stopDaysAgo });
const oneoff = (daysAgo: number): Rhythm => ({ kind: "oneoff", daysAgo });

const CUSTOMERS: readonly CustomerSpec[] = [
  // English names
  { name: "Acme Ltd", lang: "en", stage: "ACTIVE", rhythm: steady(14), currency: "USD", typical: 4_200 },
  { name: "Acme Robotics", lang: "en", stage: "ACTIVE", rhythm: growing(10), currency: "USD", typical: 6_800 },
  { name: "Globex Corporation", lang: "en", stage: "ACTIVE", rhythm: steady(30), currency: "USD", typical: 9_000, aliases: ["Globex"] },
  { name: "Initech Inc", lang: "en", stage: "AT_RISK", rhythm: fading(14, 60), currency: "USD", typical: 3_100 },
  { name: "Umbrella Co., Ltd.", lang: "en", stage: "ACTIVE", rhythm: steady(10), currency: "CNY", typical: 18_000, aliases: ["安布雷拉"] },
  { name: "Stark Industries", lang: "en", stage: "ACTIVE", rhythm: growing(14), currency: "USD", typical: 15_000 },
  { name: "Wayne Enterprises", lang: "en", stage: "ACTIVE", rhythm: steady(21), currency: "USD", typical: 12_000 },
  { name: "Hooli", lang: "en", stage: "CHURNED", rhythm: fading(21, 300), currency: "USD", typical: 5_500 },
  { name: "Soylent Corp", lang: "en", stage: "CHURNED", rhythm: oneoff(540), currency: "USD", typical: 7_500 },
  { name: "Vandelay Industries", lang: "en", stage: "LEAD", rhythm: none, currency: "USD", typical: 2_000 },
  { name: "Wonka Confectionery Ltd", lang: "en", stage: "ACTIVE", rhythm: steady(30), currency: "EUR", typical: 3_500 },
  { name: "Nordwind Logistics GmbH", lang: "en", stage: "ACTIVE", rhythm: steady(14), currency: "EUR", typical: 2_600 },
  { name: "Brightwater Foods Ltd", lang: "en", stage: "ACTIVE", rhythm: steady(7), currency: "EUR", typical: 1_200 },
  { name: "Helios Solar AG", lang: "en", stage: "ACTIVE", rhythm: growing(14), currency: "EUR", typical: 8_200 },
  { name: "Oakridge Medical Supplies", lang: "en", stage: "AT_RISK", rhythm: fading(10, 45), currency: "USD", typical: 2_400 },
  { name: "Pinnacle Freight LLC", lang: "en", stage: "CHURNED", rhythm: fading(14, 260), currency: "USD", typical: 3_800 },
  { name: "Redwood Capital Partners", lang: "en", stage: "ACTIVE", rhythm: oneoff(24), currency: "USD", typical: 18_000 },
  { name: "Silverline Hotels", lang: "en", stage: "ACTIVE", rhythm: steady(91), currency: "USD", typical: 22_000 },
  { name: "Tidewater Marine Supply", lang: "en", stage: "CHURNED", rhythm: oneoff(410), currency: "USD", typical: 4_600 },
  { name: "Lumen Optics BV", lang: "en", stage: "ACTIVE", rhythm: steady(30), currency: "EUR", typical: 5_400 },
  { name: "Maple Leaf Trading Co", lang: "en", stage: "ACTIVE", rhythm: steady(7), currency: "CNY", typical: 8_600 },
  { name: "Evergreen Packaging Ltd", lang: "en", stage: "AT_RISK", rhythm: fading(10, 55), currency: "CNY", typical: 11_000 },
  { name: "Bluefin Analytics", lang: "en", stage: "PROSPECT", rhythm: none, currency: "USD", typical: 9_500 },
  { name: "Quantum Leap Labs", lang: "en", stage: "PROSPECT", rhythm: none, currency: "USD", typical: 14_000 },
  { name: "Kestrel Aerospace", lang: "en", stage: "PROSPECT", rhythm: none, currency: "EUR", typical: 30_000 },
  { name: "Cedar & Pine Design Studio", lang: "en", stage: "LEAD", rhythm: none, currency: "EUR", typical: 1_500 },
  { name: "Northstar Education", lang: "en", stage: "LEAD", rhythm: none, currency: "USD", typical: 2_500, unowned: true },
  // Chinese names
  { name: "阿里巴巴集团", lang: "zh", stage: "ACTIVE", rhythm: steady(7), currency: "CNY", typical: 45_000, aliases: ["Alibaba", "阿里"] },
  { name: "腾讯科技有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(5), currency: "CNY", typical: 38_000, aliases: ["Tencent", "腾讯"] },
  { name: "北京字节跳动科技有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(4), currency: "CNY", typical: 32_000, aliases: ["ByteDance", "字节跳动"] },
  { name: "华为技术有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(10), currency: "CNY", typical: 68_000, aliases: ["Huawei"] },
  { name: "小米科技", lang: "zh", stage: "ACTIVE", rhythm: steady(14), currency: "CNY", typical: 23_000, aliases: ["Xiaomi"] },
  { name: "上海浦东发展银行", lang: "zh", stage: "ACTIVE", rhythm: steady(91), currency: "CNY", typical: 260_000, aliases: ["浦发银行", "SPDB"] },
  { name: "深圳市大疆创新科技有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(7), currency: "CNY", typical: 41_000, aliases: ["DJI", "大疆"] },
  { name: "杭州云栖数据科技有限公司", lang: "zh", stage: "AT_RISK", rhythm: fading(10, 70), currency: "CNY", typical: 16_000 },
  { name: "苏州精工机械制造有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(14), currency: "CNY", typical: 15_000 },
  { name: "广州南方物流有限公司", lang: "zh", stage: "CHURNED", rhythm: fading(7, 240), currency: "CNY", typical: 7_800 },
  { name: "成都天府软件园服务有限公司", lang: "zh", stage: "PROSPECT", rhythm: none, currency: "CNY", typical: 120_000 },
  { name: "武汉光谷生物科技有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(10), currency: "CNY", typical: 26_000 },
  { name: "南京紫金文化传媒有限公司", lang: "zh", stage: "LEAD", rhythm: none, currency: "CNY", typical: 8_000 },
  { name: "西安秦川电子有限公司", lang: "zh", stage: "CHURNED", rhythm: oneoff(480), currency: "CNY", typical: 36_000 },
  { name: "青岛海岸食品有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(7), currency: "CNY", typical: 6_200 },
  { name: "厦门鹭岛贸易有限公司", lang: "zh", stage: "AT_RISK", rhythm: fading(14, 50), currency: "CNY", typical: 9_400 },
  { name: "宁波港联供应链管理有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(10), currency: "CNY", typical: 9_800 },
  { name: "天津渤海化工集团", lang: "zh", stage: "ACTIVE", rhythm: steady(45), currency: "CNY", typical: 120_000 },
  { name: "重庆山城汽车配件有限公司", lang: "zh", stage: "CHURNED", rhythm: fading(10, 330), currency: "CNY", typical: 12_500 },
  { name: "长沙湘江智能科技有限公司", lang: "zh", stage: "PROSPECT", rhythm: none, currency: "CNY", typical: 55_000 },
  { name: "郑州中原粮油有限公司", lang: "zh", stage: "ACTIVE", rhythm: oneoff(38), currency: "CNY", typical: 42_000 },
  { name: "合肥新能源电池有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(6), currency: "CNY", typical: 21_000 },
  { name: "昆明彩云花卉有限公司", lang: "zh", stage: "LEAD", rhythm: none, currency: "CNY", typical: 3_000, unowned: true },
  { name: "大连海星水产有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(7), currency: "CNY", typical: 4_800 },
  { name: "无锡太湖纺织有限公司", lang: "zh", stage: "CHURNED", rhythm: fading(14, 400), currency: "CNY", typical: 13_000 },
  { name: "东莞华联电子厂", lang: "zh", stage: "ACTIVE", rhythm: steady(4), currency: "CNY", typical: 3_200 },
  { name: "佛山美家家具有限公司", lang: "zh", stage: "AT_RISK", rhythm: fading(10, 60), currency: "CNY", typical: 8_900 },
  { name: "福州闽江茶业有限公司", lang: "zh", stage: "CHURNED", rhythm: oneoff(620), currency: "CNY", typical: 5_600 },
  { name: "沈阳北方重工有限公司", lang: "zh", stage: "PROSPECT", rhythm: none, currency: "CNY", typical: 180_000 },
  { name: "济南泉城医疗器械有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(30), currency: "CNY", typical: 27_000 },
  { name: "哈尔滨冰城乳业有限公司", lang: "zh", stage: "LEAD", rhythm: none, currency: "CNY", typical: 6_000 },
  { name: "上海微澜信息技术有限公司", lang: "zh", stage: "ACTIVE", rhythm: growing(10), currency: "CNY", typical: 17_000 },
  { name: "北京京华印务有限公司", lang: "zh", stage: "CHURNED", rhythm: fading(7, 200), currency: "CNY", typical: 4_300 },
  { name: "深圳前海云帆科技有限公司", lang: "zh", stage: "ACTIVE", rhythm: steady(14), currency: "CNY", typical: 12_000 },
  { name: "杭州钱塘智造有限公司", lang: "zh", stage: "PROSPECT", rhythm: none, currency: "CNY", typical: 75_000 },
  { name: "珠海横琴跨境电商有限公司", lang: "zh", stage: "LEAD", rhythm: none, currency: "CNY", typical: 10_000 },
  { name: "温州瓯江鞋业有限公司", lang: "zh", stage: "CHURNED", rhythm: oneoff(300), currency: "CNY", typical: 9_200 },
  { name: "苏州工业园区博思咨询有限公司", lang: "zh", stage: "PROSPECT", rhythm: none, currency: "CNY", typical: 30_000 },
];

const SOURCES = ["referral", "trade show", "website", "cold call", "partner", "existing network"] as const;

const PRODUCTS: Record<Lang, readonly string[]> = {
  en: [
    "Annual licence", "Support plan", "Implementation services", "Hardware kit", "Training workshop",
    "Consulting days", "Sensor modules", "Spare parts", "Cloud hosting", "Maintenance contract",
  ],
  zh: [
    "年度软件许可", "技术支持服务", "实施服务", "硬件套件", "培训课程", "定制开发", "传感器模块",
    "备品备件", "云服务器租用", "年度维保合同",
  ],
};

// ---------------------------------------------------------------------------------------------
// Contacts

const ZH_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"];
const ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强", "晓燕", "海燕", "文博", "子涵", "思远", "雨欣", "国栋"];
const ZH_TITLES = ["采购经理", "总经理", "IT总监", "财务主管", "运营总监", "采购专员", "技术负责人", "副总裁"];
const EN_FIRST = ["James", "Emma", "Oliver", "Sophia", "Lucas", "Mia", "Daniel", "Hannah", "Thomas", "Laura", "Michael", "Anna", "David", "Julia", "Robert", "Sarah", "Felix", "Clara"];
const EN_LAST = ["Smith", "Johnson", "Müller", "Schmidt", "Brown", "Taylor", "Wilson", "Davies", "Becker", "Fischer", "Martin", "Clark", "Lewis", "Walker", "Young", "Hall"];
const EN_TITLES = ["Procurement Manager", "CTO", "Head of Operations", "Finance Director", "Purchasing Lead", "CEO", "IT Manager", "Office Manager"];
const OPEN_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

interface SeedContact {
  id: string;
  name: string;
  /** How a rep refers to them in a note: "王总", "Emma". */
  shortName: string;
  wechat: boolean;
}

// ---------------------------------------------------------------------------------------------
// Interaction texts. {c} is a contact, {p} a product.

const TEXTS = {
  en: {
    CALL: [
      "Call with {c}: discussed the {p} renewal",
      "Called {c} about the delivery timeline",
      "Quick call: {c} asked for updated pricing on {p}",
      "Left a voicemail for {c}",
      "Call with {c}: budget for next quarter looks healthy",
      "{c} called with a question about invoicing",
    ],
    MEETING: [
      "Met {c} on site, walked through the {p} roadmap",
      "Quarterly business review with {c}",
      "Lunch with {c}; they are expanding the team",
      "Demo for {c} and two of their engineers",
      "Visited their site with {c}, reviewed how the {p} is going",
    ],
    EMAIL: [
      "Sent a quote for {p}",
      "Emailed {c} the revised contract",
      "Sent invoice and delivery note",
      "{c} emailed asking about a volume discount",
      "Follow-up email after the demo",
    ],
    WECHAT: [
      "WeChat with {c}: confirmed the delivery address",
      "Sent {c} the {p} brochure on WeChat",
      "{c} shared photos of the installation on WeChat",
    ],
    NOTE: [
      "Decision maker is {c}",
      "A competitor is pitching too; price sensitive",
      "Payment usually arrives late, chase early",
      "Prefers email over calls",
      "Interested in bundling {p} next year",
      "Asked for a reference customer in their industry",
    ],
    order: ["Confirmed order: {p}", "PO received from {c} for {p}", "{c} confirmed the {p} order"],
    afterOrder: ["{c} confirmed the {p} was delivered as agreed", "Checked in with {c} after delivery, all fine"],
    fading: ["Order volume down, {c} mentioned budget cuts", "{c} is evaluating another supplier", "Fewer orders this quarter, need a check-in"],
    silent: ["No reply to my last two emails", "Tried to reach {c}, no answer", "Sent a catch-up email, no response"],
    winBack: ["Win-back offer sent to {c}, not interested for now", "Called {c} to reconnect; they may revisit next year"],
    lead: ["Met {c} at the trade show", "Inbound enquiry from the website", "{c} asked for an intro call", "Added from a referral, first contact pending"],
    prospect: ["Discovery call with {c}: pain points around {p}", "Sent proposal for {p}", "Pilot scope agreed with {c}", "Technical Q&A with {c}'s team", "Negotiating terms for {p}"],
  },
  zh: {
    CALL: [
      "和{c}通电话，确认了{p}的交付时间",
      "电话回访{c}，对上次服务很满意",
      "{c}来电询问{p}报价",
      "电话沟通下季度采购计划",
      "打电话给{c}，未接通，稍后再联系",
    ],
    MEETING: [
      "拜访{c}，介绍了{p}新版本",
      "与{c}开季度复盘会",
      "和{c}吃饭，对方在扩建新厂",
      "现场演示{p}，技术团队反馈不错",
      "陪{c}参观展厅，重点看了{p}",
    ],
    EMAIL: [
      "发送{p}报价单",
      "邮件发送合同修订版给{c}",
      "发送发票和送货单",
      "{c}邮件询问批量折扣",
    ],
    WECHAT: [
      "微信跟{c}确认订单细节",
      "微信发了{p}资料给{c}",
      "微信上{c}说预算已经批下来了",
      "微信提醒{c}本月对账",
    ],
    NOTE: [
      "决策人是{c}",
      "对价格比较敏感，竞争对手也在报价",
      "付款周期较长，需要提前催款",
      "年底前有一批采购需求",
      "客户希望加急发货",
      "对{p}很感兴趣，明年可能扩大采购",
    ],
    order: ["确认订单：{p}", "{c}下单{p}，已安排交付", "{c}确认了{p}订单"],
    afterOrder: ["{c}确认{p}已验收", "到货后回访{c}，使用正常"],
    fading: ["订单量下降，{c}说预算收紧", "{c}在接触其他供应商", "本季度下单明显减少，需要约见"],
    silent: ["微信消息未回复", "给{c}打了两次电话都没接", "发了问候邮件，暂无回复"],
    winBack: ["尝试挽回，{c}表示暂时没有需求", "给{c}发了老客户回馈方案，对方说再考虑"],
    lead: ["展会上认识了{c}", "官网咨询，留了联系方式", "{c}希望约个时间简单介绍一下", "老客户推荐，待首次联系"],
    prospect: ["和{c}初步沟通，痛点在{p}", "发送{p}方案书", "与{c}确定试点范围", "和{c}的技术团队答疑", "{p}商务条款谈判中"],
    inbound: [
      "你好，上次的{p}什么时候能安排？",
      "发票收到了，谢谢",
      "能再发一份报价吗？",
      "我们下个月还要一批货",
      "{p}的价格能再优惠点吗？",
      "好的，收到",
      "麻烦安排技术人员过来看一下",
      "合同已经盖章寄回了",
      "周三下午方便来一趟吗？",
    ],
  },
} as const;

const EN_INBOUND = [
  "Hi, any update on the {p}?",
  "Invoice received, thanks",
  "Could you resend the quote?",
  "We will need another batch next month",
  "Got it, thanks",
];

// ---------------------------------------------------------------------------------------------
// Generation

interface Plan {
  customers: Prisma.CustomerCreateManyInput[];
  aliases: Prisma.CustomerAliasCreateManyInput[];
  /** Personal details in plaintext here; sealed when written. */
  contacts: (Prisma.ContactCreateManyInput & ContactSecrets)[];
  orders: Prisma.OrderCreateManyInput[];
  interactions: Prisma.InteractionCreateManyInput[];
  deals: Prisma.DealCreateManyInput[];
  reminders: Prisma.ReminderCreateManyInput[];
  surveys: Prisma.SurveyCreateManyInput[];
}

/** Checks the customer list itself: every name and alias must find exactly its customer. */
function checkNames(): void {
  const owner = new Map<string, string>();
  const claim = (key: string, customer: string, what: string) => {
    const held = owner.get(key);
    if (held !== undefined && held !== customer) throw new Error(`demo seed: ${what} "${key}" of ${customer} clashes with ${held}`);
    owner.set(key, customer);
  };
  for (const spec of CUSTOMERS) {
    const keys = nameKeys(spec.name);
    if (owner.get(keys.normalizedName) !== undefined) throw new Error(`demo seed: two customers normalise to "${keys.normalizedName}"`);
    claim(keys.normalizedName, spec.name, "name");
    claim(keys.pinyin, spec.name, "pinyin");
    for (const alias of spec.aliases ?? []) {
      const a = nameKeys(alias);
      claim(a.normalizedName, spec.name, "alias");
      claim(a.pinyin, spec.name, "alias pinyin");
    }
  }
}

function fill(template: string, contact: string, product: string): string {
  return template.replaceAll("{c}", contact).replaceAll("{p}", product);
}

function asciiSlug(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "");
}

function generate(seed: number, now: Date, userIds: ReadonlyMap<string, string>): Plan {
  const rng = new Random(seed);
  const nowMs = now.getTime();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const rates = ratesToBase(BASE_CURRENCY, {});
  const plan: Plan = { customers: [], aliases: [], contacts: [], orders: [], interactions: [], deals: [], reminders: [], surveys: [] };
  const openIds = new Set<string>();

  /**
   * A moment `daysAgo` days before today, in the customer's business hours (Shanghai 09-18 is
   * 01-10 UTC, Europe about 07-16 UTC), moved off weekends. Undefined when it would be after now.
   */
  const moment = (daysAgo: number, lang: Lang, evening = false): Date | undefined => {
    let day = today - Math.round(daysAgo) * DAY;
    const weekday = new Date(day).getUTCDay();
    if (!evening && weekday === 6) day -= DAY;
    if (!evening && weekday === 0) day += DAY;
    const [from, to] = lang === "zh" ? (evening ? [1, 14] : [1, 10]) : [7, 16];
    const at = day + rng.between(from, to) * 3_600_000;
    const rounded = Math.floor(at / 60_000) * 60_000 + rng.int(0, 59) * 1000;
    return rounded <= nowMs ? new Date(rounded) : undefined;
  };

  const ownersFor = (lang: Lang) => REPS.filter((r) => r.covers.includes(lang));

  for (const spec of CUSTOMERS) {
    const keys = nameKeys(spec.name);
    const customerId = randomUUID();
    const ownerKey = spec.unowned ? undefined : rng.pick(ownersFor(spec.lang)).key;
    const ownerId = ownerKey === undefined ? null : userIds.get(ownerKey) ?? null;
    const products = rng.shuffle(PRODUCTS[spec.lang]).slice(0, rng.int(2, 4));
    const product = () => rng.pick(products);
    const rate = rates.get(spec.currency);
    if (!rate) throw new Error(`demo seed: no rate for ${spec.currency}`);

    // --- orders: a list of [daysAgo, amount factor]
    const orderDays: Array<[number, number]> = [];
    const r = spec.rhythm;
    let firstActivityDaysAgo: number;
    if (r.kind === "steady") {
      const start = rng.between(700, 728);
      for (let d = start; d >= 0; d -= r.period * rng.between(0.75, 1.25)) orderDays.push([d, 1]);
      firstActivityDaysAgo = start;
    } else if (r.kind === "growing") {
      const start = rng.between(520, 700);
      for (let d = start; d >= 0; ) {
        const progress = 1 - d / start; // 0 at the start, 1 today
        orderDays.push([d, 0.6 + 0.9 * progress]);
        d -= r.period * (4 - 3 * progress) * rng.between(0.75, 1.25);
      }
      firstActivityDaysAgo = start;
    } else if (r.kind === "fading") {
      const start = rng.between(700, 728);
      const span = start - r.stopDaysAgo;
      for (let d = start; d >= r.stopDaysAgo; ) {
        const progress = (start - d) / span; // 0 at the start, 1 at the stop
        orderDays.push([d, 1.1 - 0.5 * progress]);
        d -= r.period * (1 + 3 * progress) * rng.between(0.75, 1.25);
      }
      firstActivityDaysAgo = start;
    } else if (r.kind === "oneoff") {
      orderDays.push([r.daysAgo, 1.2]);
      firstActivityDaysAgo = r.daysAgo + rng.between(20, 60);
    } else {
      firstActivityDaysAgo = spec.stage === "LEAD" ? rng.between(3, 40) : rng.between(45, 200);
    }
    const lastOrderDaysAgo = orderDays.at(-1)?.[0];

    const createdDaysAgo = firstActivityDaysAgo + rng.between(7, 45) * (r.kind === "none" ? 0.1 : 1);
    const createdAt = new Date(Math.min(nowMs, today - Math.round(createdDaysAgo) * DAY + 2 * 3_600_000));
    plan.customers.push({
      id: customerId,
      name: spec.name,
      normalizedName: keys.normalizedName,
      pinyin: keys.pinyin,
      pinyinInitials: keys.pinyinInitials,
      stage: spec.stage,
      ownerId,
      source: rng.pick(SOURCES),
      createdAt,
    });
    for (const alias of spec.aliases ?? []) {
      const a = nameKeys(alias);
      plan.aliases.push({ customerId, alias, normalizedName: a.normalizedName, pinyin: a.pinyin, createdAt });
    }

    // --- contacts
    const domain = `${asciiSlug(spec.aliases?.find((a) => /^[A-Za-z]/.test(a)) ?? "") || (spec.lang === "zh" ? keys.pinyinInitials : keys.normalizedName)}.example`;
    const contacts: SeedContact[] = [];
    const contactCount = rng.int(1, 3);
    const usedNames = new Set<string>();
    for (let i = 0; i < contactCount; i++) {
      let name: string;
      let shortName: string;
      let title: string;
      let email: string;
      let phone: string;
      if (spec.lang === "zh") {
        const surname = rng.pick(ZH_SURNAMES);
        name = surname + rng.pick(ZH_GIVEN);
        title = rng.pick(ZH_TITLES);
        shortName = title.includes("总") ? `${surname}总` : title === "技术负责人" ? `${surname}工` : `${surname}经理`;
        email = `${nameKeys(name).pinyin}@${domain}`;
        phone = `+86 1${rng.pick(["38", "39", "58", "86", "88"])}${rng.int(0, 9)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`;
      } else {
        const first = rng.pick(EN_FIRST);
        const last = rng.pick(EN_LAST);
        name = `${first} ${last}`;
        title = rng.pick(EN_TITLES);
        shortName = first;
        email = `${asciiSlug(first)}.${asciiSlug(last)}@${domain}`;
        phone = spec.currency === "EUR" ? `+44 20 7946 0${rng.int(100, 999)}` : `+1 555 01${rng.int(10, 99)}`;
      }
      if (usedNames.has(name)) continue;
      usedNames.add(name);
      const wechat = (spec.lang === "zh" || spec.currency === "CNY") && rng.chance(i === 0 ? 0.8 : 0.4);
      let wechatOpenId: string | null = null;
      if (wechat) {
        do {
          wechatOpenId = "oDemo" + Array.from({ length: 22 }, () => rng.pick([...OPEN_ID_CHARS])).join("");
        } while (openIds.has(wechatOpenId));
        openIds.add(wechatOpenId);
      }
      const birthday = rng.chance(0.3) ? new Date(Date.UTC(rng.int(1965, 1996), rng.int(0, 11), rng.int(1, 28))) : null;
      const contact: SeedContact = { id: randomUUID(), name, shortName, wechat };
      contacts.push(contact);
      plan.contacts.push({
        id: contact.id,
        customerId,
        name,
        title,
        email: rng.chance(0.9) ? email : null,
        phone: rng.chance(0.85) ? phone : null,
        wechatOpenId,
        locale: spec.lang === "zh" ? "zh-CN" : "en",
        birthday,
        createdAt: new Date(createdAt.getTime() + i * 60_000),
      });
    }
    const someContact = () => rng.pick(contacts);
    const wechatContacts = contacts.filter((c) => c.wechat);

    // --- interactions
    const texts = TEXTS[spec.lang];
    type Logged = "CALL" | "MEETING" | "EMAIL" | "WECHAT" | "NOTE";
    const usesWechat = wechatContacts.length > 0;
    const channels: readonly Logged[] =
      spec.lang === "zh"
        ? ["WECHAT", "WECHAT", "WECHAT", "CALL", "CALL", "MEETING", "NOTE", "EMAIL"]
        : spec.currency === "CNY"
          ? ["EMAIL", "CALL", "WECHAT", "MEETING", "NOTE", "CALL"]
          : ["EMAIL", "EMAIL", "CALL", "CALL", "MEETING", "NOTE"];
    const addInteraction = (daysAgo: number, channel: Channel, direction: Direction, body: string, contactId: string | null) => {
      const occurredAt = moment(daysAgo, spec.lang, direction === "INBOUND");
      if (!occurredAt) return;
      if (ownerId === null && direction !== "INBOUND") return; // nobody to write the note
      plan.interactions.push({
        id: randomUUID(),
        customerId,
        contactId,
        authorId: direction === "INBOUND" ? null : ownerId,
        channel,
        direction,
        body,
        occurredAt,
        createdAt: occurredAt,
      });
    };
    /**
     * A body for this customer that it has not had yet, if a few tries find one: a fact such as
     * "decision maker is X" is noted once, routine texts may repeat after a while.
     */
    const usedBodies = new Set<string>();
    const freshBody = (pool: readonly string[], contact: SeedContact): string | undefined => {
      for (let attempt = 0; attempt < 6; attempt++) {
        const body = fill(rng.pick(pool), contact.shortName, product());
        if (!usedBodies.has(body)) {
          usedBodies.add(body);
          return body;
        }
      }
      return undefined;
    };
    /** A routine touch: a rep's note on a random channel, or a WeChat message from the customer. */
    const touch = (daysAgo: number) => {
      if (usesWechat && rng.chance(0.3)) {
        const from = rng.pick(wechatContacts);
        const inbound = spec.lang === "zh" ? TEXTS.zh.inbound : EN_INBOUND;
        addInteraction(daysAgo, "WECHAT", "INBOUND", fill(rng.pick(inbound), from.shortName, product()), from.id);
        return;
      }
      let channel = rng.pick(channels);
      if (channel === "WECHAT" && !usesWechat) channel = "CALL";
      const contact = someContact();
      let body = freshBody(texts[channel], contact);
      if (body === undefined && channel === "NOTE") channel = "CALL";
      body ??= fill(rng.pick(texts[channel]), contact.shortName, product());
      addInteraction(daysAgo, channel, "INTERNAL", body, channel === "NOTE" ? null : contact.id);
    };
    /** A rep's note on a given topic, on one of the channels that suit it; skipped if it would repeat. */
    const note = (daysAgo: number, pool: readonly string[], on: readonly Logged[]) => {
      let channel = rng.pick(on);
      if (channel === "WECHAT" && !usesWechat) channel = "CALL";
      const contact = someContact();
      const body = freshBody(pool, contact);
      if (body !== undefined) addInteraction(daysAgo, channel, "INTERNAL", body, channel === "NOTE" ? null : contact.id);
    };
    const orderChannels: readonly Logged[] = spec.lang === "zh" ? ["WECHAT", "CALL", "NOTE"] : ["EMAIL", "CALL", "NOTE"];

    // Order-linked notes: fewer per order for customers who order every few days.
    for (const [daysAgo] of orderDays) {
      const period = r.kind === "steady" || r.kind === "growing" || r.kind === "fading" ? r.period : 30;
      const p = Math.min(0.6, Math.max(0.15, period / 30));
      if (rng.chance(p)) note(daysAgo + rng.between(0, 4), texts.order, orderChannels);
      if (rng.chance(p / 3)) note(Math.max(0, daysAgo - rng.between(2, 10)), texts.afterOrder, orderChannels);
    }
    // Background contact over the life of the relationship.
    if (r.kind === "none") {
      const pool = spec.stage === "LEAD" ? texts.lead : texts.prospect;
      const count = spec.stage === "LEAD" ? rng.int(1, 3) : rng.int(5, 12);
      for (let i = 0; i < count; i++) {
        const daysAgo = rng.between(0, firstActivityDaysAgo);
        if (i === 0 || rng.chance(0.6)) note(daysAgo, pool, ["NOTE", "CALL", "MEETING", "EMAIL"]);
        else touch(daysAgo);
      }
    } else {
      const end = lastOrderDaysAgo !== undefined && r.kind !== "steady" && r.kind !== "growing" ? Math.max(0, lastOrderDaysAgo - rng.between(20, 45)) : 0;
      for (let d = firstActivityDaysAgo - rng.gap(10); d >= end; d -= rng.gap(r.kind === "oneoff" ? 25 : 22)) touch(d);
      if (r.kind === "fading" && lastOrderDaysAgo !== undefined) {
        for (let i = 0; i < 3; i++) note(lastOrderDaysAgo + rng.between(10, 90), texts.fading, ["NOTE"]);
        for (let i = 0; i < 2; i++) note(Math.max(0, lastOrderDaysAgo - rng.between(15, 60)), texts.silent, ["NOTE"]);
      }
      if (spec.stage === "CHURNED") note(rng.between(5, Math.max(6, (lastOrderDaysAgo ?? 60) - 60)), texts.winBack, ["CALL", "EMAIL"]);
    }

    // --- orders
    for (const [daysAgo, factor] of orderDays) {
      const orderedAt = moment(daysAgo, spec.lang);
      if (!orderedAt) continue;
      let value = spec.typical * factor * Math.exp(0.3 * rng.gauss());
      if (rng.chance(0.05)) value *= rng.between(2, 4); // the occasional big order
      const unit = value > 20_000 ? 100 : 10;
      const amount = rng.chance(0.45) ? new Decimal(Math.max(unit, Math.round(value / unit) * unit)) : new Decimal(Math.max(50, value)).toDecimalPlaces(2);
      plan.orders.push({
        id: randomUUID(),
        customerId,
        createdById: ownerId,
        amount: amount.toFixed(2),
        currency: spec.currency,
        baseAmount: toBase(amount, rate).toFixed(2),
        rateToBase: rate.toString(),
        product: product(),
        orderedAt,
        createdAt: orderedAt,
      });
    }

    // --- deals, reminders, surveys
    if (ownerId !== null) {
      const wantsDeal =
        spec.name === "Acme Ltd" || spec.name === "阿里巴巴集团" || (spec.stage === "PROSPECT" && rng.chance(0.7)) || (spec.stage === "ACTIVE" && rng.chance(r.kind === "growing" ? 0.4 : 0.05));
      if (wantsDeal) {
        const dealAmount = new Decimal(Math.round((spec.typical * rng.between(3, 12)) / 100) * 100);
        const dealRate = rates.get(spec.currency) ?? new Decimal(1);
        plan.deals.push({
          id: randomUUID(),
          customerId,
          ownerId,
          createdById: ownerId,
          title: spec.lang === "zh" ? `${product()}年度采购` : `${product()} – multi-year agreement`,
          amount: dealAmount.toFixed(2),
          currency: spec.currency,
          baseAmount: toBase(dealAmount, dealRate).toFixed(2),
          rateToBase: dealRate.toString(),
          status: "OPEN",
          stage: spec.name === "Acme Ltd" || spec.name === "阿里巴巴集团" ? "proposal" : DEFAULT_OPEN_STAGES[plan.deals.length % DEFAULT_OPEN_STAGES.length]!.key, // not from rng: the rest of the data stays as it was
          expectedCloseAt: new Date(today + rng.int(10, 75) * DAY + 10 * 3_600_000),
          createdAt: new Date(Math.max(createdAt.getTime(), nowMs - rng.int(5, 60) * DAY)),
        });
      }
      if (spec.stage === "CHURNED" && rng.chance(0.4)) {
        plan.deals.push({
          id: randomUUID(),
          customerId,
          ownerId,
          title: spec.lang === "zh" ? `${product()}续约` : `${product()} renewal`,
          amount: new Decimal(Math.round(spec.typical * 4)).toFixed(2),
          currency: spec.currency,
          status: "LOST",
          stage: "lost",
          lostReason: "no_budget",
          expectedCloseAt: new Date(today - rng.int(60, 200) * DAY),
          createdAt: new Date(Math.max(createdAt.getTime(), today - rng.int(220, 400) * DAY)),
        });
        const lost = plan.deals[plan.deals.length - 1]!;
        lost.closedAt = lost.expectedCloseAt!;
      }
      const wantsReminder =
        spec.name === "Acme Ltd" || spec.name === "阿里巴巴集团" || spec.stage === "AT_RISK" || (spec.stage === "PROSPECT" && rng.chance(0.6));
      if (wantsReminder) {
        const contact = someContact();
        const text =
          spec.lang === "zh"
            ? rng.pick([`跟进${contact.shortName}的${product()}报价`, `给${contact.shortName}打电话确认下月需求`, `约${contact.shortName}见面聊续约`])
            : rng.pick([`Follow up with ${contact.shortName} on the ${product()} quote`, `Call ${contact.shortName} about next month's volume`, `Book a review meeting with ${contact.shortName}`]);
        const dueAt = new Date(today + rng.int(1, 9) * DAY + (spec.lang === "zh" ? 1.5 : 8) * 3_600_000);
        plan.reminders.push({ id: randomUUID(), userId: ownerId, customerId, text, dueAt, status: "PENDING", createdAt: new Date(nowMs - rng.int(1, 10) * DAY) });
      }
      const wantsSurvey =
        orderDays.length > 3 &&
        (spec.name === "Acme Ltd" || spec.name === "阿里巴巴集团" || spec.stage === "AT_RISK" || (spec.stage === "ACTIVE" && rng.chance(0.3)));
      if (wantsSurvey) {
        const contact = someContact();
        const rounds = rng.int(1, 2);
        for (let i = 0; i < rounds; i++) {
          const sentAt = moment(rng.between(10, 300), spec.lang);
          if (!sentAt) continue;
          const answeredAt = new Date(Math.min(nowMs, sentAt.getTime() + rng.between(0.5, 48) * 3_600_000));
          const score = spec.stage === "AT_RISK" ? rng.int(1, 3) : rng.int(4, 5);
          const comments = spec.lang === "zh" ? (score >= 4 ? ["送货及时，服务很好", "响应很快", null] : ["售后响应太慢", "价格偏高", null]) : score >= 4 ? ["Fast delivery, great service", "Very responsive team", null] : ["Support was slow to respond", "Too expensive for what we get", null];
          plan.surveys.push({
            id: randomUUID(),
            customerId,
            contactId: contact.id,
            servedById: ownerId,
            kind: "CSAT",
            status: "ANSWERED",
            score,
            comment: rng.pick(comments),
            sentAt,
            answeredAt,
            createdAt: sentAt,
          });
        }
      }
    }
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Writing

async function insertInBatches<T>(rows: readonly T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH));
}

/**
 * Fills a database that has no customers yet with demo data, all in one transaction; returns
 * `skipped: true` and writes nothing when any customer exists.
 */
export async function seedDemoData(prisma: PrismaClient, options: SeedOptions): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const seed = options.seed ?? DEFAULT_SEED;
  if (Number.isNaN(now.getTime())) throw new Error("demo seed: `now` is not a valid date");
  checkNames();

  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY}::bigint)`;
      if ((await tx.customer.findFirst({ select: { id: true } })) !== null) {
        return { customers: 0, orders: 0, interactions: 0, skipped: true };
      }

      // Reps are kept if they are there already (a rep may have registered before the seed).
      const userIds = new Map<string, string>();
      for (const rep of REPS) {
        const user = await tx.user.upsert({
          where: { platform_externalId: { platform: "local", externalId: rep.key } },
          create: { platform: "local", externalId: rep.key, displayName: rep.displayName, role: rep.role, locale: rep.locale, timezone: rep.timezone },
          update: {},
          select: { id: true },
        });
        userIds.set(rep.key, user.id);
      }
      // Roles and teams: Maria Garcia (manager) leads Tom Becker and Alex Chen, so she sees their
      // customers' private details; the rest of the demo team answers to the admin.
      for (const team of TEAMS) {
        const created = await tx.salesTeam.upsert({
          where: { nameKey: team.name.toLowerCase() },
          create: { name: team.name, nameKey: team.name.toLowerCase(), leadId: userIds.get(team.lead) ?? null },
          update: {},
          select: { id: true },
        });
        await tx.user.updateMany({ where: { id: { in: team.members.map((k) => userIds.get(k)!) }, salesTeamId: null }, data: { salesTeamId: created.id } });
      }

      const plan = generate(seed, now, userIds);
      await insertInBatches(plan.customers, (data) => tx.customer.createMany({ data }));
      await insertInBatches(plan.aliases, (data) => tx.customerAlias.createMany({ data }));
      // The key the details are sealed with is in use from now on (src/store/encryption/data-keys.ts).
      await tx.$executeRaw`INSERT INTO data_keys (key_id) VALUES (${options.cipher.keyId}) ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL`;
      const sealed = plan.contacts.map(({ email, phone, wechatOpenId, ...contact }) => ({ ...contact, ...sealContactSecrets(options.cipher, { email, phone, wechatOpenId }) }));
      await insertInBatches(sealed, (data) => tx.contact.createMany({ data }));
      await insertInBatches(plan.orders, (data) => tx.order.createMany({ data }));
      await insertInBatches(plan.interactions, (data) => tx.interaction.createMany({ data }));
      await insertInBatches(plan.deals, (data) => tx.deal.createMany({ data }));
      // Each deal's history: made in its first stage, then moved to where it is.
      const moves = plan.deals.flatMap((d) => {
        const made = { dealId: d.id!, fromStage: null, toStage: DEFAULT_OPEN_STAGES[0]!.key, changedById: d.ownerId ?? null, at: d.createdAt! };
        const stage = d.stage ?? made.toStage;
        return stage === made.toStage ? [made] : [made, { dealId: d.id!, fromStage: made.toStage, toStage: stage, changedById: d.ownerId ?? null, at: (d.closedAt as Date | undefined) ?? new Date(new Date(d.createdAt!).getTime() + DAY) }];
      });
      await insertInBatches(moves, (data) => tx.dealStageChange.createMany({ data }));
      await insertInBatches(plan.reminders, (data) => tx.reminder.createMany({ data }));
      await insertInBatches(plan.surveys, (data) => tx.survey.createMany({ data }));

      // The stores keep customer_stats current row by row; bulk inserts bypass them, so the
      // stats are computed once here from what was just written.
      await tx.$executeRaw`
        INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at,
                                    interaction_count, last_interaction_at)
        SELECT c.id, COALESCE(o.order_count, 0), COALESCE(o.total_spent, 0), o.first_order_at, o.last_order_at,
               COALESCE(i.interaction_count, 0), i.last_interaction_at
        FROM customers c
        LEFT JOIN (SELECT customer_id, count(*)::int AS order_count, sum(base_amount) AS total_spent,
                          min(ordered_at) AS first_order_at, max(ordered_at) AS last_order_at
                   FROM orders GROUP BY customer_id) o ON o.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*)::int AS interaction_count, max(occurred_at) AS last_interaction_at
                   FROM interactions GROUP BY customer_id) i ON i.customer_id = c.id
        WHERE o.customer_id IS NOT NULL OR i.customer_id IS NOT NULL`;
      // The same for the analytics (src/store/analytics/analytics.ts): the per-customer running totals and
      // WeChat waits the write path keeps, then the rollups of every complete hour and day.
      await tx.$executeRawUnsafe(rebuildPurchaseMonthsSql("all"));
      await tx.$executeRawUnsafe(REBUILD_WECHAT_WAITS_SQL);
      for (const kind of ROLLUP_KINDS) {
        const { lock, build } = rollUpStatements(kind);
        await tx.$executeRawUnsafe(lock);
        await tx.$executeRawUnsafe(build);
      }

      return { customers: plan.customers.length, orders: plan.orders.length, interactions: plan.interactions.length, skipped: false };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}
