import type pg from "pg";
import { mulberry32 } from "../prisma/seed-data.js";
import { nameKeys } from "../src/domain/language/customer-name.js";

const LATIN_A = ["Blue", "North", "Silver", "Bright", "Summit", "Harbor", "Maple", "Granite", "Copper", "Eagle", "Pioneer", "Atlas", "Nova", "Cedar", "Iron", "Golden", "Crystal", "Rapid", "Union", "Vertex", "Delta", "Orion", "Sterling", "Falcon", "Beacon"];
const LATIN_B = ["Ridge", "Point", "Field", "Stone", "Bridge", "Wave", "Peak", "Forge", "Line", "Gate", "Works", "Labs", "Craft", "Path", "Hill", "Bay", "Port", "Grove", "Valley", "Star"];
const LATIN_C = ["Logistics", "Analytics", "Foods", "Systems", "Energy", "Health", "Textiles", "Robotics", "Capital", "Media", "Motors", "Pharma", "Software", "Retail", "Builders", "Chemicals", "Optics", "Travel", "Farms", "Security"];
const LATIN_SUFFIX = ["Ltd", "Inc", "LLC", "GmbH", "Co., Ltd.", "Corp", "PLC", ""];
const CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "重庆", "苏州", "天津", "长沙", "郑州", "青岛", "厦门", "宁波", "合肥", "福州", "昆明"];
const WORDS = ["华", "信", "达", "鑫", "宏", "瑞", "恒", "泰", "丰", "盛", "安", "康", "博", "远", "明", "新", "兴", "通", "海", "天", "云", "金", "宇", "嘉", "和", "佳", "汇", "源", "创", "智"];
const INDUSTRIES = ["科技", "贸易", "物流", "电子", "食品", "医药", "建材", "软件", "服装", "机械", "能源", "传媒", "教育", "化工", "家具"];
const CN_SUFFIX = ["有限公司", "股份有限公司", "集团", "有限责任公司"];

export interface GeneratedCustomer {
  name: string;
  normalizedName: string;
  pinyin: string;
  pinyinInitials: string;
}

/** `count` company names, half English and half Chinese, unique after normalisation. */
export function generateCustomers(count: number, seed = 42): GeneratedCustomer[] {
  const next = mulberry32(seed); // deterministic: every run builds the same data
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const seen = new Set<string>();
  const out: GeneratedCustomer[] = [];
  while (out.length < count) {
    let name: string;
    if (out.length % 2 === 0) {
      const base = `${pick(LATIN_A)}${pick(LATIN_B)} ${pick(LATIN_C)}`;
      name = `${base}${next() < 0.5 ? ` ${Math.floor(next() * 900 + 100)}` : ""} ${pick(LATIN_SUFFIX)}`.trim();
    } else {
      name = `${pick(CITIES)}${pick(WORDS)}${pick(WORDS)}${pick(INDUSTRIES)}${pick(CN_SUFFIX)}`;
    }
    const keys = nameKeys(name);
    if (seen.has(keys.normalizedName)) continue;
    seen.add(keys.normalizedName);
    out.push({ name, ...keys });
  }
  return out;
}

/**
 * Loads customers with one multi-row INSERT per batch (unnest of arrays) and then fills
 * interactions and stats in SQL, which is as fast as COPY for this size and needs no extra tool.
 */
export async function loadCustomers(pool: pg.Pool, customers: GeneratedCustomer[], interactionsPerCustomer = 10): Promise<void> {
  const batch = 10_000;
  for (let i = 0; i < customers.length; i += batch) {
    const part = customers.slice(i, i + batch);
    await pool.query(
      `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, updated_at)
       SELECT gen_random_uuid(), n, nn, p, pi, 'ACTIVE', now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(n, nn, p, pi)
       ON CONFLICT (normalized_name) DO NOTHING`,
      [part.map((c) => c.name), part.map((c) => c.normalizedName), part.map((c) => c.pinyin), part.map((c) => c.pinyinInitials)],
    );
  }
  await pool.query(
    `INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at)
     SELECT gen_random_uuid(), c.id, (ARRAY['CALL','MEETING','EMAIL','WECHAT','NOTE'])[1 + (g % 5)]::"Channel", 'INTERNAL',
            'bench interaction ' || g, now() - (g || ' days')::interval - (random() * interval '1 day')
     FROM customers c CROSS JOIN generate_series(1, $1::int) g`,
    [interactionsPerCustomer],
  );
  await pool.query(
    `INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)
     SELECT c.id, 1 + (abs(hashtext(c.id::text)) % 40), (abs(hashtext(c.name)) % 500000) + 100,
            now() - ((abs(hashtext(c.id::text)) % 700) || ' days')::interval, now() - ((abs(hashtext(c.name)) % 30) || ' days')::interval,
            $1::int, now()
     FROM customers c ON CONFLICT (customer_id) DO NOTHING`,
    [interactionsPerCustomer],
  );
  await pool.query("ANALYZE");
}
