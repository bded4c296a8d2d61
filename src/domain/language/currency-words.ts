/**
 * How reps write currencies next to an amount, in one table: ISO codes, symbols and the
 * English and Chinese words for each currency the bot accepts. Everything that reads an amount
 * looks names up here, so a currency is known in every form or in none.
 *
 * Rules of the table:
 * - Every ISO code counts as a name of its currency, in any case ("usd", "Usd"), except the
 *   codes that are also everyday words or product names (`LOWERCASE_WORDS`: "try", "php",
 *   "cad", "mop"): those are currencies only in capitals.
 * - `symbols` are written against the number, before or after it ("$100", "100€", "HK$ 80").
 * - `words` are English words (with their plurals) and other names a rep types after the
 *   amount, attached or as separate words ("100 dollars", "100usd", "100 US dollars").
 * - `zh` are Chinese names; they may stand after the amount ("100美元", "100 美元") or before
 *   it ("人民币5000").
 * - "$" alone is the US dollar and "¥" alone the yuan (a Chinese team's ¥); write HK$, NT$,
 *   JP¥ or the code for the others.
 */

interface CurrencyNames {
  symbols?: readonly string[];
  words?: readonly string[];
  zh?: readonly string[];
}

export const CURRENCY_NAMES: Readonly<Record<string, CurrencyNames>> = {
  CNY: {
    symbols: ["¥", "CN¥", "RMB¥", "RMB"],
    words: ["yuan", "renminbi", "kuai", "chinese yuan"],
    zh: ["元", "圆", "块", "块钱", "人民币", "人民币元"],
  },
  USD: { symbols: ["$", "US$", "U.S.$"], words: ["dollar", "dollars", "us dollar", "us dollars", "bucks"], zh: ["美元", "美金", "美圆"] },
  EUR: { symbols: ["€"], words: ["euro", "euros"], zh: ["欧元"] },
  GBP: { symbols: ["£"], words: ["pound", "pounds", "pound sterling", "pounds sterling", "british pound", "british pounds", "quid"], zh: ["英镑"] },
  JPY: { symbols: ["JP¥", "円"], words: ["yen", "japanese yen"], zh: ["日元", "日圆", "日币"] },
  HKD: { symbols: ["HK$"], words: ["hong kong dollar", "hong kong dollars", "hk dollar", "hk dollars"], zh: ["港币", "港元", "港幣", "港圆"] },
  TWD: { symbols: ["NT$"], words: ["taiwan dollar", "taiwan dollars", "new taiwan dollar", "new taiwan dollars", "nt dollar", "nt dollars"], zh: ["新台币", "台币", "新台幣", "台幣"] },
  SGD: { symbols: ["S$", "SG$"], words: ["singapore dollar", "singapore dollars"], zh: ["新加坡元", "新币", "新幣"] },
  AUD: { symbols: ["A$", "AU$"], words: ["australian dollar", "australian dollars"], zh: ["澳元", "澳币", "澳大利亚元"] },
  CAD: { symbols: ["C$", "CA$"], words: ["canadian dollar", "canadian dollars"], zh: ["加元", "加币", "加拿大元"] },
  CHF: { words: ["swiss franc", "swiss francs"], zh: ["瑞士法郎", "瑞郎"] },
  KRW: { symbols: ["₩"], words: ["korean won", "south korean won"], zh: ["韩元", "韩币", "韩圆"] },
  INR: { symbols: ["₹"], words: ["rupee", "rupees", "indian rupee", "indian rupees"], zh: ["印度卢比", "卢比"] },
  MOP: { symbols: ["MOP$"], words: ["pataca", "patacas", "macau pataca", "macau patacas"], zh: ["澳门元", "澳门币", "葡币"] },
  NZD: { symbols: ["NZ$"], words: ["new zealand dollar", "new zealand dollars"], zh: ["新西兰元", "纽元", "纽币"] },
  SEK: { words: ["swedish krona", "swedish kronor"], zh: ["瑞典克朗"] },
  NOK: { words: ["norwegian krone", "norwegian kroner"], zh: ["挪威克朗"] },
  DKK: { words: ["danish krone", "danish kroner"], zh: ["丹麦克朗"] },
  THB: { symbols: ["฿"], words: ["baht", "thai baht"], zh: ["泰铢"] },
  MYR: { symbols: ["RM"], words: ["ringgit", "ringgits", "malaysian ringgit"], zh: ["马币", "林吉特", "马来西亚林吉特"] },
  IDR: { symbols: ["Rp"], words: ["rupiah", "rupiahs", "indonesian rupiah"], zh: ["印尼盾", "印度尼西亚盾"] },
  PHP: { symbols: ["₱"], words: ["philippine peso", "philippine pesos"], zh: ["菲律宾比索"] },
  VND: { symbols: ["₫"], words: ["vietnamese dong"], zh: ["越南盾"] },
  AED: { words: ["dirham", "dirhams", "uae dirham", "uae dirhams"], zh: ["迪拉姆", "阿联酋迪拉姆"] },
  SAR: { words: ["riyal", "riyals", "saudi riyal", "saudi riyals"], zh: ["沙特里亚尔", "里亚尔"] },
  BRL: { symbols: ["R$"], words: ["reais", "brazilian real", "brazilian reais"], zh: ["巴西雷亚尔", "雷亚尔"] },
  MXN: { symbols: ["MX$", "Mex$"], words: ["mexican peso", "mexican pesos"], zh: ["墨西哥比索"] },
  ZAR: { words: ["rand", "rands", "south african rand"], zh: ["南非兰特", "兰特"] },
  RUB: { symbols: ["₽"], words: ["rouble", "roubles", "ruble", "rubles", "russian rouble", "russian roubles", "russian ruble", "russian rubles"], zh: ["卢布", "俄罗斯卢布"] },
  TRY: { symbols: ["₺"], words: ["lira", "liras", "turkish lira", "turkish liras"], zh: ["土耳其里拉", "里拉"] },
  PLN: { symbols: ["zł"], words: ["zloty", "zlotys", "złoty", "polish zloty", "polish zlotys"], zh: ["波兰兹罗提", "兹罗提"] },
};

/** Codes that are also common lower-case words ("100 try-out packs", "100 mop heads"): currencies only in capitals. */
const LOWERCASE_WORDS: ReadonlySet<string> = new Set(["try", "php", "cad", "mop"]);

/** Symbols that stand for a family: a code after them names which one ("$100 CAD", "¥500 JPY"). */
const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  USD: ["USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD", "MXN", "MOP"],
  CNY: ["CNY", "JPY"],
};
const FAMILY_SYMBOLS: ReadonlySet<string> = new Set(["$", "¥"]);

/**
 * Words that name a currency but not one the bot can pick: unsupported ones and ambiguous ones
 * ("peso" is many countries' money, "kr" three). After an amount they are refused, never
 * taken for a product.
 */
const OTHER_CURRENCY_WORDS: ReadonlySet<string> = new Set([
  "franc", "francs", "peso", "pesos", "krona", "kronor", "krone", "kroner", "kr", "crowns", "koruna",
  "dinar", "dinars", "rial", "rials", "shekel", "shekels", "shilling", "shillings", "forint", "forints",
  "naira", "cedi", "cedis", "kwacha", "taka", "kyat", "riel", "tugrik", "hryvnia", "hryvnias", "manat",
  "tenge", "afghani", "afghanis", "birr", "lempira", "quetzal", "quetzales", "colones", "bolivar", "bolivars", "guarani", "soles",
  "leva", "somoni", "ouguiya", "dalasi", "cents", "pence", "bitcoin", "bitcoins", "btc", "usdt", "satoshi", "satoshis",
  "dollar", "dollars", "yuan", "yen", "rupee", "rupees", "rupiah", "euro", "euros", "pound", "pounds",
  "lira", "ruble", "rubles", "rouble", "roubles", "rand", "baht", "ringgit", "riyal", "riyals", "dirham", "dirhams", "zloty",
]);

/** Chinese endings of a currency's name (…元, …币, …法郎, …比索). */
const ZH_CURRENCY_ENDING = /(?:元|圆|币|幣|镑|法郎|比索|卢比|克朗|第纳尔|里亚尔|迪拉姆|卢布|里拉|兰特|盾|铢|林吉特|雷亚尔|兹罗提|谢克尔|福林)$/u;

/** Chinese words with such an ending that are things, not money: 100 纪念币 is a hundred coins. */
const ZH_NOT_CURRENCY: ReadonlySet<string> = new Set(["单元", "公元", "纪念币", "硬币", "游戏币", "金币", "银币", "钱币", "古币", "铜币", "代金币", "矛盾", "后盾", "盾"]);

export type CurrencyNameKind = "code" | "symbol" | "word" | "zh";

/** How a written name is looked up: NFKC (full-width forms), lower case, single spaces. */
export function normaliseName(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

function buildIndex(): Map<string, { code: string; kind: CurrencyNameKind }> {
  const index = new Map<string, { code: string; kind: CurrencyNameKind }>();
  const add = (name: string, code: string, kind: CurrencyNameKind) => {
    const key = normaliseName(name);
    const existing = index.get(key);
    if (existing && existing.code !== code) throw new Error(`currency name ${name} is both ${existing.code} and ${code}`);
    if (!existing) index.set(key, { code, kind });
  };
  for (const [code, names] of Object.entries(CURRENCY_NAMES)) {
    for (const s of names.symbols ?? []) add(s, code, "symbol");
    for (const z of names.zh ?? []) add(z, code, "zh");
    for (const w of names.words ?? []) add(w, code, "word");
    add(code, code, "code");
  }
  return index;
}

const INDEX = buildIndex();

/** The longest name in the table, in words: how far ahead a reader has to look. */
export const MAX_NAME_WORDS = Math.max(...[...INDEX.keys()].map((k) => k.split(" ").length));

/**
 * The currency a written name means ("usd", "US$", "美元", "hong kong dollars"), or undefined.
 * A code that is also a word counts only in capitals ("TRY", not "try").
 */
export function currencyNamed(text: string): { code: string; kind: CurrencyNameKind } | undefined {
  const found = INDEX.get(normaliseName(text));
  if (!found) return undefined;
  if (found.kind === "code" && LOWERCASE_WORDS.has(found.code.toLowerCase()) && text.normalize("NFKC").trim() !== found.code) return undefined;
  return found;
}

/** A name that may also stand before the amount ("USD 100", "¥ 100", "人民币 5000"); English words go after it. */
export function isLeadingName(found: { kind: CurrencyNameKind }): boolean {
  return found.kind !== "word";
}

/**
 * A second currency name that only narrows the first ("$100 CAD": a Canadian dollar sign), as
 * opposed to a contradiction ("€100 USD").
 */
export function narrows(first: { code: string; text: string }, second: string): boolean {
  if (first.code === second) return true;
  return FAMILY_SYMBOLS.has(first.text.normalize("NFKC").trim()) && (FAMILIES[first.code] ?? []).includes(second);
}

/**
 * A word that is written like a currency but is not one the table knows, so it must be
 * refused rather than read as a product:
 * - three capital letters ("XYZ"; a product such as "SSD" goes after a currency: "100 CNY SSD"),
 * - anything with a currency sign (Unicode Sc: "₪", "Z$", "¢"),
 * - a currency word of another or an ambiguous country ("pesos", "francs", "kr", "bitcoin"),
 * - a Chinese word ending like a currency's name ("比特币", "越南元"), except the few that are
 *   things ("纪念币", "硬币", "单元").
 * Lower-case three-letter words ("pcs", "erp") and ordinary words ("licences") are products.
 */
export function looksLikeCurrency(text: string): boolean {
  const t = text.normalize("NFKC").trim();
  if (t === "") return false;
  if (/^[A-Z]{3}$/.test(t)) return true;
  if (/\p{Sc}/u.test(t)) return true;
  if (OTHER_CURRENCY_WORDS.has(t.toLowerCase())) return true;
  return /^\p{Script=Han}{2,8}$/u.test(t) && ZH_CURRENCY_ENDING.test(t) && !ZH_NOT_CURRENCY.has(t);
}

/** Currency words that end a longer name ("Zimbabwe dollars"): with a word before them they are refused too. */
export function isCurrencyNoun(text: string): boolean {
  return OTHER_CURRENCY_WORDS.has(normaliseName(text));
}
