/**
 * Which forms of a customer's names are looked for in free text ("call Acme tomorrow",
 * "明天给华为打电话"), and the rules that keep ordinary words from being taken for names.
 *
 * Every form is a key as src/domain/language/customer-name.ts makes them (letters and digits, folded,
 * company suffixes gone):
 * - the name's key and each alias's key ("Acme Ltd." -> "acme", "IBM" -> "ibm");
 * - the pinyin of a Chinese name ("阿里巴巴集团" -> "alibaba"), as /customer accepts it;
 * - the short form of a Chinese company name: its trade name without the place in front and
 *   the line of business behind ("华为技术有限公司" -> "华为", "北京字节跳动科技有限公司" ->
 *   "字节跳动"), which is how people write it in a sentence.
 *
 * Rules for free text (a typed name in /customer has none of them):
 * - a key needs a letter (a customer called "123" is never read out of "order 123 units");
 * - a key with Chinese, Japanese or Korean characters needs at least two characters: one
 *   character ("华", "信") is part of too many words;
 * - any other key needs at least three characters and stands between word boundaries ("Acme"
 *   not inside "Acmeville", "Lin" not inside "Linux"); a two-letter key counts only when the
 *   customer writes it in capitals and so does the text ("HP", "LG", "3M": not "Li" in "call Li");
 * - a short form is dropped when it is an everyday word (see COMMON_WORDS) or when more than
 *   MAX_SHORT_SHARED customers share it: then it tells nobody apart.
 */
import { hasChinese } from "./customer-name.js";
import { hasLetter, hasUnspacedScript } from "./folded-text.js";

export type NameVia = "name" | "alias" | "pinyin" | "short";

/** Which form wins when several customers' forms cover the same words: lower is better. */
export const VIA_RANK: Readonly<Record<NameVia, number>> = { name: 0, alias: 0, pinyin: 1, short: 2 };

export const MAX_SHORT_SHARED = 5;

export type FreeTextRule = "anywhere" | "capitals";

/** How a key may be found in free text, or undefined when it may not. */
export function freeTextRule(key: string, written?: string): FreeTextRule | undefined {
  if (key.length < 2 || !hasLetter(key)) return undefined;
  const length = codePoints(key);
  if (hasUnspacedScript(key)) return length >= 2 ? "anywhere" : undefined;
  if (length >= 3) return "anywhere";
  return length === 2 && written !== undefined && writtenInCapitals(written) ? "capitals" : undefined;
}

function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xfc00) === 0xdc00) n--;
  return n;
}

/** "HP Inc" and "3M" are; "Li", "Hp" are not. Only the first two letters or digits count. */
function writtenInCapitals(written: string): boolean {
  const head = written.normalize("NFKC").replace(/[^\p{L}\p{N}]/gu, "").slice(0, 2);
  return /\p{Lu}/u.test(head) && !/\p{Ll}/u.test(head);
}

/** A stretch of text read as a "capitals" key: letters, if any, all upper case. */
export function inCapitals(text: string): boolean {
  return !/\p{Ll}/u.test(text);
}

// Places that head a registered Chinese company name (provinces, big cities, "中国"), with or
// without 省/市; a name may carry one or two ("广东深圳…"), or one at the end ("华为技术深圳",
// from "华为技术（深圳）有限公司").
const PLACES = [
  "中国", "北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉",
  "西安", "长沙", "郑州", "青岛", "厦门", "宁波", "合肥", "福州", "昆明", "济南", "沈阳", "大连",
  "哈尔滨", "长春", "石家庄", "太原", "南昌", "南宁", "贵阳", "海口", "兰州", "乌鲁木齐",
  "呼和浩特", "银川", "西宁", "拉萨", "无锡", "佛山", "东莞", "珠海", "温州", "常州", "徐州",
  "香港", "澳门", "台湾", "台北", "广东", "浙江", "江苏", "山东", "河南", "河北", "湖南", "湖北",
  "四川", "福建", "安徽", "辽宁", "吉林", "黑龙江", "山西", "陕西", "江西", "云南", "贵州",
  "广西", "海南", "甘肃", "青海", "内蒙古", "宁夏", "新疆", "西藏",
].flatMap((p) => [`${p}省`, `${p}市`, p]);

// Lines of business that follow the trade name. Words that are the business itself and name it
// (银行, 保险, 证券, 航空) are not here: "招商银行" is not "招商".
const BUSINESSES = [
  "信息技术", "网络技术", "电子商务", "科技发展", "新能源", "房地产", "科技", "技术", "网络",
  "信息", "电子", "软件", "通信", "通讯", "贸易", "商贸", "实业", "投资", "发展", "国际", "传媒",
  "文化", "电器", "智能", "数码", "生物", "医药", "食品", "物流", "咨询", "服务", "管理", "工程",
  "建设", "建材", "机械", "能源", "化工", "家具", "服装", "教育", "制造", "工业", "设备", "材料",
  "汽车", "电气", "环保", "置业", "地产", "餐饮", "农业", "控股", "集团", "计算机", "系统",
];

/**
 * Everyday words a short form must not be: above all the words reminders are made of (times,
 * "customer", "contract"), and generic business words that remain of names like "中国银行".
 */
const COMMON_WORDS = new Set([
  "今天", "明天", "后天", "昨天", "前天", "今年", "明年", "去年", "本周", "下周", "上周", "周末",
  "本月", "下月", "上月", "月底", "年底", "上午", "下午", "中午", "晚上", "早上", "今晚", "明早",
  "客户", "公司", "合同", "项目", "产品", "会议", "电话", "邮件", "报价", "发票", "订单", "付款",
  "银行", "保险", "证券", "航空", "铁路", "电力", "石油", "石化", "电信", "移动", "联通", "医院",
  "大学", "学校", "酒店", "商场", "超市", "中心", "研究", "新华", "人民", "中华", "华夏", "东方",
  "我们", "你们", "他们", "时候", "这个", "那个", "什么", "没有", "一下", "一起", "已经", "还是",
]);

// Looked up by length, longest first: a set lookup per length instead of a scan of the lists
// (this runs for every Chinese name when the dictionary is built).
const byLength = (words: readonly string[]) => {
  const lengths = [...new Set(words.map((w) => w.length))].sort((a, b) => b - a);
  return { lengths, words: new Set(words) };
};
const PLACE_WORDS = byLength(PLACES);
const BUSINESS_WORDS = byLength(BUSINESSES);

function stripFront(name: string, table: ReturnType<typeof byLength>): string {
  for (const n of table.lengths) if (name.length - n >= 2 && table.words.has(name.slice(0, n))) return name.slice(n);
  return name;
}

function stripBack(name: string, table: ReturnType<typeof byLength>): string {
  for (const n of table.lengths) if (name.length - n >= 2 && table.words.has(name.slice(-n))) return name.slice(0, -n);
  return name;
}

/**
 * The trade name inside a Chinese company name's key, or undefined when there is nothing to
 * take away or what would remain is an everyday word.
 */
export function chineseShortName(normalized: string): string | undefined {
  if (!hasChinese(normalized) || /[\p{Script=Latin}\p{N}]/u.test(normalized)) return undefined;
  let current = normalized;
  for (;;) {
    const before = current;
    current = stripBack(stripBack(stripFront(current, PLACE_WORDS), BUSINESS_WORDS), PLACE_WORDS);
    if (current === before) break;
  }
  return current !== normalized && !COMMON_WORDS.has(current) ? current : undefined;
}

/**
 * Company suffixes a name in a text may carry after its key, folded and without spaces
 * ("Acme Co., Ltd." -> "acme" + "coltd"), longest first. Only words that mean nothing else:
 * "Acme group meeting" is not "Acme Group".
 */
export const TRAILING_SUFFIXES = {
  latin: ["incorporated", "corporation", "colimited", "limited", "coltd", "gmbh", "corp", "inc", "ltd", "llc", "llp", "plc"],
  unspaced: ["股份有限公司", "有限责任公司", "有限公司", "集团公司", "控股集团", "集团", "公司", "控股"],
} as const;
