import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { REBUILD_WECHAT_WAITS_SQL, ROLLUP_KINDS, rebuildPurchaseMonthsSql, rollUpStatements } from "../src/store/index.js";
import { createBenchDatabase } from "./bench-database.js";
import { generateCustomers } from "./generate-customers.js";

/**
 * A data set for analytics benchmarks (RFM segments, churn rules, reports, top-N, the daily
 * digest): reps, customers in every stage, three years of Pareto-skewed orders, interactions
 * with WeChat conversations that have measurable first-response times, surveys, and
 * customer_stats recomputed from the rows.
 *
 * Everything except the customer names is generated inside Postgres with set-based SQL: Node
 * only sends a handful of statements. Randomness comes from hashing each row's key with the seed
 * (hashint8extended), not from random(), so the data depends on nothing but the options: not
 * on plans, scan order or parallelism. Row ids are hashes too, for the same reason. Times are
 * relative to `now`; the same options and `now` give identical data.
 *
 * Meant for a fresh database such as a bench's own: it loads in one transaction that drops and
 * rebuilds the tables' indexes and foreign keys, holding exclusive locks on them until it commits.
 *
 * Run directly: `npx tsx bench/generate-analytics-data.ts [--customers 100000 --orders 2000000
 * --interactions 5000000 --surveys 50000 --deals 200000 --reps 20 --seed 42 --now 2026-11-30T00:00:00Z --drop]`.
 */

export interface AnalyticsDataOptions {
  customers: number;
  orders: number;
  interactions: number;
  surveys?: number;
  /** Deals with their stage history (/pipeline); none unless asked for. */
  deals?: number;
  reps?: number;
  seed?: number;
  now?: Date;
}

export interface AnalyticsDataResult {
  seconds: number;
  /** Rows written per table. */
  counts: Record<string, number>;
  /** Seconds per step in the order they ran: writing the rows, and rebuilding indexes and keys after. */
  timings: Record<string, { load: number; indexes: number }>;
}

const DAY = 86_400;
/** Loaded in bulk: their indexes and foreign keys are rebuilt after the load. */
const LOADED_TABLES = ["customers", "contacts", "orders", "interactions", "surveys", "customer_stats", "deals", "deal_stage_changes"] as const;
/** Derived from the loaded rows after the load, with their indexes in place. */
const ANALYTICS_TABLES = ["customer_order_months", "wechat_waits", "order_hours", "interaction_hours", "wechat_wait_days", "lead_hours"] as const;
const YEARS = 3;

/** Sold by the bench company; the first ones are bought most (a favourite is picked skewed). */
const PRODUCTS = [
  "Sensor Kit A1", "Control Unit C5", "Gateway G2", "Maintenance Plan", "Spare Parts Pack", "Cable Set",
  "Sensor Kit A2", "Installation Service", "Cloud Subscription", "Software License", "Training Day", "Extended Warranty",
];
const SOURCES = ["referral", "website", "trade_show", "cold_call", "wechat", "partner"];
const REP_NAMES = [
  "王伟", "Emily Chen", "李娜", "James Liu", "张敏", "Sophie Wang", "刘洋", "Daniel Zhao", "陈静", "Olivia Huang",
  "杨帆", "Ryan Zhou", "赵磊", "Grace Wu", "黄婷", "Kevin Xu", "周杰", "Amy Sun", "吴芳", "Leo Ma",
];
const CN_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];
const CN_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞"];
const EN_FIRST = ["Anna", "Ben", "Chloe", "David", "Ella", "Frank", "Grace", "Henry", "Iris", "Jack", "Kate", "Liam", "Mia", "Noah", "Olivia", "Paul"];
const EN_LAST = ["Smith", "Brown", "Miller", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Green", "Baker", "Hall", "Adams", "Reed"];
const TITLES = ["采购经理", "Purchasing Manager", "总经理", "CEO", "工程师", "Engineer", "财务", "Finance", "运营总监", "Operations Director"];

/** Interaction texts by kind, eight each so one index picks from any of them: [Chinese, English]. */
const BODIES: Record<string, [string[], string[]]> = {
  wechatIn: [
    ["你好，请问这个月能发货吗？", "上次的报价还有效吗？", "收到了，谢谢", "发票什么时候能开？", "数量多的话能便宜一点吗？", "我们想再订一批", "安装遇到点问题，能帮忙看看吗？", "请把产品资料发我一下"],
    ["Hi, can you ship this month?", "Is the last quote still valid?", "Received, thanks", "When will the invoice be issued?", "Any discount for a bigger order?", "We would like to reorder", "Installation trouble, can you help?", "Please send me the product sheet"],
  ],
  wechatOut: [
    ["您好，已经安排发货了", "报价本月内有效", "发票今天开出", "我跟领导申请一下折扣", "好的，马上为您下单", "工程师明天上门", "资料已发到您邮箱", "感谢支持！"],
    ["Hi, the shipment is scheduled", "The quote is valid this month", "Invoice goes out today", "Let me ask about a discount", "Sure, placing the order now", "Our engineer comes tomorrow", "Sent the sheet to your email", "Thanks for your support!"],
  ],
  wechatNote: [
    ["微信：客户问了交期", "微信：发了新品目录", "微信：客户在比价", "微信：确认了收货地址", "微信：客户要样品", "微信：提醒付款", "微信：节日问候", "微信：约了下周拜访"],
    ["wechat: asked about lead time", "wechat: sent the new catalogue", "wechat: comparing prices", "wechat: confirmed the address", "wechat: wants samples", "wechat: payment reminder", "wechat: holiday greetings", "wechat: visit booked next week"],
  ],
  CALL: [
    ["电话：沟通续约", "电话：确认交货时间", "电话：客户投诉延迟", "电话：介绍新产品", "电话：催款", "电话：预算下季度才批", "电话：决策人换了", "电话：约了演示"],
    ["call: discussed renewal", "call: confirmed delivery date", "call: complaint about a delay", "call: pitched the new model", "call: payment follow-up", "call: budget next quarter", "call: new decision maker", "call: demo booked"],
  ],
  MEETING: [
    ["拜访：参观了工厂", "会议：年度采购计划", "拜访：见了技术负责人", "会议：合同条款", "拜访：现场培训", "会议：季度回顾", "拜访：处理售后问题", "会议：招标说明"],
    ["meeting: factory tour", "meeting: annual purchase plan", "meeting: met the tech lead", "meeting: contract terms", "meeting: on-site training", "meeting: quarterly review", "meeting: after-sales issue", "meeting: tender briefing"],
  ],
  EMAIL: [
    ["邮件：发送报价单", "邮件：合同草稿", "邮件：发货通知", "邮件：对账单", "邮件：技术规格", "邮件：回复询价", "邮件：会议纪要", "邮件：续约提醒"],
    ["email: sent the quote", "email: draft contract", "email: shipping notice", "email: statement of account", "email: technical specs", "email: answered the RFQ", "email: meeting minutes", "email: renewal reminder"],
  ],
  NOTE: [
    ["备注：老板很重视价格", "备注：每季度初下单", "备注：竞争对手在接触", "备注：喜欢微信沟通", "备注：付款较慢", "备注：有扩产计划", "备注：关键联系人休假", "备注：可能转介绍"],
    ["note: very price sensitive", "note: orders at quarter start", "note: competitor is talking to them", "note: prefers WeChat", "note: slow payer", "note: expanding capacity", "note: key contact on leave", "note: may refer others"],
  ],
  SLACK: [
    ["Slack：共享频道里确认了订单", "Slack：问了接口文档", "Slack：反馈了一个问题", "Slack：确认了上线时间", "Slack：要了发票", "Slack：讨论了集成方案", "Slack：约了电话", "Slack：感谢支持"],
    ["slack: confirmed the order in the shared channel", "slack: asked for API docs", "slack: reported an issue", "slack: confirmed go-live", "slack: asked for the invoice", "slack: discussed the integration", "slack: booked a call", "slack: thanked the team"],
  ],
};
const COMMENTS_GOOD = ["服务很好", "回复很快，谢谢", "非常专业", "满意", "Great service", "Quick and helpful", "Very professional", "Thanks!"];
const COMMENTS_BAD = ["回复太慢了", "问题还没解决", "发货延迟", "价格偏高", "Too slow to answer", "Issue not solved", "Delivery was late", "Too expensive"];

/** Hash salts of the row ids, apart from the draws' salts (below 900). */
const ID_SALTS = { user: 900, customer: 910, contact: 920, order: 930, interaction: 940, survey: 950, deal: 960, dealChange: 970 } as const;
/** The default open stages (src/domain/deals/pipeline.ts), in order: a generated deal walks them one by one. */
const OPEN_STAGES = ["qualification", "needs_analysis", "proposal", "negotiation"];
const DEAL_TITLES = ["年度采购", "Fleet renewal", "设备升级", "Pilot project", "扩产项目", "Service contract", "备件补货", "Expansion"];

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const sqlTextArray = (items: readonly string[]): string => `ARRAY[${items.map(sqlText).join(", ")}]::text[]`;

/** Builds the statements for one seed: uniform and normal draws keyed by a row key and a salt. */
function sqlKit(seed: number) {
  /** Uniform in [0, 1): the same key and salt give the same number for the same seed. */
  const u = (key: string, salt: number): string =>
    `((hashint8extended((${key})::bigint, ${seed * 1_000 + salt}) & 9007199254740991)::float8 / 9007199254740992)`;
  /** Standard normal (Box-Muller), for log-normal amounts and delays. */
  const z = (key: string, salt: number): string => `(sqrt(-2 * ln(1 - ${u(key, salt)})) * cos(2 * pi() * ${u(key, salt + 1)}))`;
  /**
   * A version-4 UUID from two hashes of the key (the app's zod schemas check version and
   * variant). Cheaper than md5 of text, and the primary key rebuilt after the load would catch
   * the collision that 122 bits make practically impossible.
   */
  const id = (kind: keyof typeof ID_SALTS, key: string): string => {
    const salt = ID_SALTS[kind];
    const hash = (offset: number): string => `hashint8extended((${key})::bigint, ${seed * 1_000 + salt + offset})`;
    return `encode(int8send((${hash(0)} & -61441) | 16384) || int8send((${hash(1)} & 4611686018427387903) | -9223372036854775808), 'hex')::uuid`;
  };
  /** One of `items` (a SQL text[] of length `length`), by a uniform draw. */
  const pick = (array: string, length: number, draw: string): string => `(${array})[1 + floor(${draw} * ${length})::int]`;
  return { u, z, id, pick };
}

/**
 * A moment between `start` and `stop` (epoch seconds) for one row, where the last `win`
 * seconds before `stop` see `rate` times the usual activity (rate < 1 is a customer slowing
 * down). `pickRecent` and `position` are uniform draws.
 */
function momentSql(start: string, stop: string, win: string, rate: string, pickRecent: string, position: string): string {
  const w = `least(${win}, ${stop} - ${start})`;
  const older = `(${stop} - ${start} - ${w})`;
  return `CASE WHEN ${pickRecent} * (${older} + ${rate} * ${w}) < ${rate} * ${w}
               THEN ${stop} - ${w} + ${position} * ${w} ELSE ${start} + ${position} * ${older} END`;
}

/**
 * Moves a `businessShare` of moments (the column `raw`) into Shanghai business hours on a
 * weekday of the same week, the way people order and call; the rest keep any time of day.
 * `hour`, `weekday` and `business` are uniform draws.
 */
function officeHoursSql(raw: string, start: string, stop: string, hour: string, weekday: string, business: string, businessShare: number): string {
  // The Shanghai day (UTC+8, no DST), and its weekday counted from Monday (day 4 of the epoch).
  const day = `floor((${raw} + 28800) / ${DAY})`;
  const dow = `mod(${day}::bigint - 4, 7)`;
  // Most weekend moments move to a weekday of the same week, spread evenly over the five.
  const workday = `CASE WHEN ${dow} >= 5 AND ${weekday} < 0.8 THEN ${day} - ${dow} + floor(${weekday} / 0.8 * 5) ELSE ${day} END`;
  const office = `((${workday}) * ${DAY} - 28800 + (9 + 9 * ${hour}) * 3600)`;
  // Moved only when that stays inside the window: clamping would pile rows up on its edges.
  return `CASE WHEN ${business} < ${businessShare} AND ${office} BETWEEN ${start} AND ${stop} THEN ${office} ELSE ${raw} END`;
}

const allocateSql = (weight: string, total: string, order = "n"): string =>
  // Cumulative floors give each customer its share and make the shares add up to exactly `total`.
  `floor(${total} * (sum(${weight}) OVER (ORDER BY ${order}) / nullif(sum(${weight}) OVER (), 0)))`;

/**
 * Drops the indexes and foreign keys of `tables` for a bulk load and returns what puts each
 * table's back, exactly as the catalog had them (Postgres's own advice for populating a
 * database): one sort per index instead of millions of scattered inserts, and one join per
 * foreign key, which checks every reference, instead of a trigger call per row. All inside the
 * caller's transaction, so a failure leaves the schema as it was. Keys that other tables'
 * foreign keys hang on stay.
 */
async function dropIndexesAndKeys(client: pg.PoolClient, tables: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ tbl: string; kind: string; drop: string; restore: string }>(`
    SELECT c.conrelid::regclass::text AS tbl, 'foreign key' AS kind,
           format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
           format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS restore
    FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])
    UNION ALL
    SELECT i.indrelid::regclass::text, 'index',
           CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
                ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname) END,
           CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) END
    FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
    WHERE i.indrelid = ANY($1::regclass[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
    ORDER BY kind, 1, 3`, [tables]);
  const restore = new Map<string, string[]>(tables.map((t) => [t, []]));
  // Foreign keys go first and come back last, as the migrations add them.
  for (const row of rows) {
    await client.query(row.drop);
    const list = restore.get(row.tbl) ?? [];
    if (row.kind === "foreign key") list.push(row.restore);
    else list.unshift(row.restore);
    restore.set(row.tbl, list);
  }
  return restore;
}

export async function generateAnalyticsData(pool: pg.Pool, options: AnalyticsDataOptions): Promise<AnalyticsDataResult> {
  const customers = options.customers;
  const orders = options.orders;
  const interactions = options.interactions;
  const surveys = options.surveys ?? 50_000;
  const deals = options.deals ?? 0;
  const reps = options.reps ?? 20;
  const seed = options.seed ?? 42;
  const now = options.now ?? new Date();
  for (const [name, value] of Object.entries({ customers, orders, interactions, surveys, deals, reps, seed })) {
    // They go into the SQL text as literals (hash salts must be constants), so they must be plain integers.
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
  if (reps < 1 || customers < 1) throw new Error("at least one rep and one customer are needed");
  // Row keys go through hashint8extended, which folds keys wider than 32 bits.
  if (Math.max(orders, interactions, surveys, deals * 8, customers * 8) >= 2 ** 31) throw new Error("at most 2^31 rows per table");
  if (seed >= 2 ** 31) throw new Error("seed must be below 2^31");
  if (Number.isNaN(now.getTime())) throw new Error("now is not a valid date");

  const { u, z, id, pick } = sqlKit(seed);
  const NOW = (now.getTime() / 1000).toFixed(3);
  const timings: Record<string, { load: number; indexes: number }> = {};
  const spent = (label: string, part: "load" | "indexes", since: number): void => {
    const entry = (timings[label] ??= { load: 0, indexes: 0 });
    entry[part] += (performance.now() - since) / 1000;
  };
  const counts: Record<string, number> = {};
  const started = performance.now();
  const client = await pool.connect();
  const step = async (label: string, table: string | null, sql: string): Promise<void> => {
    const t = performance.now();
    const result = await client.query(sql);
    spent(label, "load", t);
    if (table) counts[table] = (counts[table] ?? 0) + (result.rowCount ?? 0);
  };

  try {
    await client.query("BEGIN");
    // Local to this transaction: a crash loses the load, which is simply run again.
    await client.query("SET LOCAL synchronous_commit = off");
    await client.query("SET LOCAL work_mem = '256MB'");
    // Index builds after the load sort millions of rows; a parallel build splits this between its workers.
    await client.query("SET LOCAL maintenance_work_mem = '1GB'");
    // Compiling these long expressions costs more than it saves.
    await client.query("SET LOCAL jit = off");
    const rebuild = await dropIndexesAndKeys(client, LOADED_TABLES);
    const restore = async (table: (typeof LOADED_TABLES)[number]): Promise<void> => {
      const t = performance.now();
      for (const sql of rebuild.get(table) ?? []) await client.query(sql);
      spent(table, "indexes", t);
    };

    await step("users", "users", `
      INSERT INTO users (id, platform, external_id, team_id, display_name, role, locale, timezone, created_at, updated_at)
      SELECT ${id("user", "k")}, 'slack', 'U0BENCH' || lpad(k::text, 3, '0'), 'T0BENCH',
             (${sqlTextArray(REP_NAMES)})[1 + (k - 1) % ${REP_NAMES.length}] || CASE WHEN k > ${REP_NAMES.length} THEN ' ' || k ELSE '' END,
             CASE WHEN k = 1 THEN 'MANAGER' ELSE 'REP' END::"Role",
             CASE WHEN k % 2 = 0 THEN 'en' ELSE 'zh-CN' END, 'Asia/Shanghai',
             to_timestamp(${NOW} - ${(YEARS * 365 + 30) * DAY}), to_timestamp(${NOW} - ${(YEARS * 365 + 30) * DAY})
      FROM generate_series(1, ${reps}) k`);
    await client.query(`CREATE TEMP TABLE bench_reps ON COMMIT DROP AS SELECT ARRAY(SELECT ${id("user", "k")} FROM generate_series(1, ${reps}) k ORDER BY k) AS ids`);

    // Names come from the shared generator (pinyin keys need the app's own code); all else is SQL.
    const t = performance.now();
    const names = generateCustomers(customers, seed);
    await client.query("CREATE TEMP TABLE bench_names (n int, name text, normalized_name text, pinyin text, pinyin_initials text) ON COMMIT DROP");
    for (let i = 0; i < names.length; i += 20_000) {
      const part = names.slice(i, i + 20_000);
      await client.query(
        `INSERT INTO bench_names SELECT $1::int + o, n, nn, p, pi FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(n, nn, p, pi, o)`,
        [i, part.map((c) => c.name), part.map((c) => c.normalizedName), part.map((c) => c.pinyin), part.map((c) => c.pinyinInitials)],
      );
    }
    spent("customers", "load", t);

    // One row per customer with everything the row generators need: its profile, its buying
    // window, and how many orders, interactions and surveys it gets.
    await step("customers", null, `
      CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
      WITH a AS (
        SELECT n, name, normalized_name, pinyin, pinyin_initials, name ~ '[^\\x01-\\x7f]' AS cn,
               CASE WHEN ${u("n", 1)} < 0.20 THEN 'LEAD' WHEN ${u("n", 1)} < 0.30 THEN 'PROSPECT' WHEN ${u("n", 1)} < 0.85 THEN 'ACTIVE'
                    WHEN ${u("n", 1)} < 0.95 THEN 'AT_RISK' ELSE 'CHURNED' END AS stage
        FROM bench_names
        OFFSET 0
      ), b AS (
        SELECT a.*,
               CASE stage
                 WHEN 'LEAD' THEN 'none'
                 WHEN 'PROSPECT' THEN CASE WHEN ${u("n", 3)} < 0.25 THEN 'trial' ELSE 'none' END
                 WHEN 'ACTIVE' THEN CASE WHEN ${u("n", 3)} < 0.10 THEN 'growing' WHEN ${u("n", 3)} < 0.78 THEN 'steady' WHEN ${u("n", 3)} < 0.92 THEN 'slowing' ELSE 'stopped' END
                 WHEN 'AT_RISK' THEN CASE WHEN ${u("n", 3)} < 0.60 THEN 'slowing' ELSE 'stopped' END
                 ELSE 'stopped' END AS profile,
               -- Leads are young, churned customers old enough to have bought and left.
               ${NOW} - ${DAY} * CASE stage
                 WHEN 'LEAD' THEN 1 + 364 * power(${u("n", 4)}, 1.5)
                 WHEN 'PROSPECT' THEN 7 + 540 * ${u("n", 4)}
                 WHEN 'ACTIVE' THEN 30 + ${YEARS * 365 - 31} * ${u("n", 4)}
                 WHEN 'AT_RISK' THEN 200 + ${YEARS * 365 - 201} * ${u("n", 4)}
                 ELSE 400 + ${YEARS * 365 - 401} * ${u("n", 4)} END AS created,
               -- A few reps hold most of the book; the manager (rep 1) holds the least.
               CASE WHEN floor(${reps} * power(${u("n", 5)}, 1.4)) = ${reps - 1} THEN 1 ELSE 2 + floor(${reps} * power(${u("n", 5)}, 1.4))::int END AS owner,
               CASE WHEN stage = 'LEAD' THEN ${u("n", 6)} < 0.80 ELSE ${u("n", 6)} < 0.78 END AS has_wechat,
               stage <> 'LEAD' AND ${u("n", 7)} < CASE WHEN name ~ '[^\\x01-\\x7f]' THEN 0.03 ELSE 0.18 END AS has_slack,
               CASE WHEN stage = 'LEAD' THEN 0 ELSE 1 + floor(${u("n", 8)} * 2.2)::int END AS extra_contacts,
               name !~ '[^\\x01-\\x7f]' AND ${u("n", 9)} < 0.15 AS usd,
               exp(ln(2500) + 0.9 * ${z("n", 10)}) AS ticket,
               floor(power(${u("n", 12)}, 2) * ${PRODUCTS.length})::int AS favourite,
               least(600, power(1 - ${u("n", 13)}, -1 / 1.2) - 1) AS appetite,
               ${DAY} * CASE stage WHEN 'ACTIVE' THEN 45 + 105 * ${u("n", 14)} WHEN 'AT_RISK' THEN 60 + 180 * ${u("n", 14)} ELSE 180 + 720 * ${u("n", 14)} END AS stop_gap,
               ${DAY} * (1 + 45 * power(${u("n", 16)}, 2)) AS first_order_delay,
               ${DAY} * 45 * ${u("n", 17)} AS talk_tail,
               ${u("n", 18)} < 0.02 AS opts_out,
               -- A rep logging anything about a lead makes it a prospect (recordInteraction), so leads only
               -- have WeChat conversations, and leads without WeChat (or some with) no interactions.
               CASE WHEN stage = 'LEAD' AND (${u("n", 22)} < 0.15 OR ${u("n", 6)} >= 0.80) THEN 0 ELSE 0.4 + 1.2 * ${u("n", 21)} END AS chattiness
        FROM a
        OFFSET 0
      ), c AS (
        SELECT b.*,
               CASE profile WHEN 'steady' THEN 0.8 + 0.4 * ${u("n", 15)} WHEN 'growing' THEN 1.5 + ${u("n", 15)}
                            WHEN 'slowing' THEN 0.1 + 0.3 * ${u("n", 15)} WHEN 'stopped' THEN 0.3 + 0.7 * ${u("n", 15)} ELSE 1 END AS rate,
               CASE profile WHEN 'stopped' THEN ${120 * DAY} ELSE ${180 * DAY} END AS win,
               least(created + first_order_delay, created + 0.5 * (${NOW} - created)) AS o_start,
               greatest(extra_contacts, has_wechat::int + has_slack::int) AS contacts
        FROM b
        OFFSET 0
      ), d AS (
        SELECT c.*,
               CASE WHEN profile = 'stopped' THEN greatest(o_start + 0.3 * (${NOW} - o_start), ${NOW} - stop_gap) ELSE ${NOW} END AS o_stop,
               created + 1 AS i_start
        FROM c
        OFFSET 0
      ), e AS (
        SELECT d.*,
               CASE WHEN profile = 'stopped' THEN least(${NOW}, o_stop + talk_tail) ELSE ${NOW} END AS i_stop,
               CASE WHEN profile IN ('none', 'trial') THEN 0
                    ELSE appetite * ((o_stop - o_start - least(win, o_stop - o_start)) + rate * least(win, o_stop - o_start)) / ${DAY} END AS order_weight
        FROM d
        OFFSET 0
      ), f AS (
        SELECT e.*,
               -- Every buyer has at least one order (when there are enough); the rest follow appetite.
               (profile <> 'none' AND ${orders} >= count(*) FILTER (WHERE profile <> 'none') OVER ())::int AS base_orders,
               ${orders} - CASE WHEN ${orders} >= count(*) FILTER (WHERE profile <> 'none') OVER () THEN count(*) FILTER (WHERE profile <> 'none') OVER () ELSE 0 END AS spread_orders
        FROM e
        OFFSET 0
      ), g AS (
        SELECT f.*, coalesce(${allocateSql("order_weight", "spread_orders")}, 0) AS order_cum FROM f
        OFFSET 0
      ), h AS (
        SELECT g.*, (base_orders + order_cum - coalesce(lag(order_cum) OVER (ORDER BY n), 0))::int AS order_count FROM g
        OFFSET 0
      ), i AS (
        SELECT h.*, chattiness * power(1 + order_count::float8, 0.65) * sqrt(greatest(1, (i_stop - i_start) / ${DAY}) / 365) AS talk_weight FROM h
        OFFSET 0
      ), j AS (
        SELECT i.*, coalesce(${allocateSql("talk_weight", String(interactions))}, 0) AS talk_cum FROM i
        OFFSET 0
      ), k AS (
        SELECT j.*, (talk_cum - coalesce(lag(talk_cum) OVER (ORDER BY n), 0))::int AS interaction_count,
               -- Unfollowing comes after the last message of a customer who left.
               CASE WHEN profile = 'stopped' AND has_wechat AND ${u("n", 20)} < 0.3 AND i_stop < ${NOW} - ${DAY}
                    THEN i_stop + (${NOW} - i_stop) * (0.1 + 0.5 * ${u("n", 23)}) END AS unsubscribed,
               CASE WHEN opts_out THEN i_start + (${NOW} - i_start) * ${u("n", 19)} END AS opted_out
        FROM j
        OFFSET 0
      ), l AS (
        SELECT k.*, i_start + ${DAY} AS s_start,
               -- Only closed surveys: an expired one needs its 72 hours behind it.
               least(i_stop, coalesce(unsubscribed, 'infinity'), coalesce(opted_out, 'infinity'), ${NOW} - 4 * ${DAY}) AS s_stop
        FROM k
        OFFSET 0
      ), m AS (
        SELECT l.*,
               CASE WHEN (has_wechat OR has_slack) AND interaction_count > 0 AND s_stop > s_start + ${DAY}
                    THEN power(interaction_count::float8, 0.8) ELSE 0 END AS survey_weight
        FROM l
        OFFSET 0
      ), s AS (
        SELECT m.*, coalesce(${allocateSql("survey_weight", String(surveys))}, 0) AS survey_cum FROM m OFFSET 0
      )
      -- Row keys number each table's rows 1, 2, 3... across customers: hashint8extended folds
      -- 64-bit keys into 32 bits, so wider composite keys would collide.
      SELECT s.*, ${id("customer", "n")} AS id,
             sum(order_count) OVER (ORDER BY n) - order_count AS order_offset,
             sum(interaction_count) OVER (ORDER BY n) - interaction_count AS interaction_offset,
             sum(survey_count) OVER (ORDER BY n) - survey_count AS survey_offset,
             ARRAY(SELECT ${id("contact", "n * 8 + j")} FROM generate_series(1, contacts) j ORDER BY j) AS contact_ids,
             CASE WHEN has_slack THEN CASE WHEN has_wechat THEN 2 ELSE 1 END END AS slack_contact,
             -- How quickly the owner answers WeChat: some reps are several times quicker than others.
             exp(0.6 * ${z("owner", 120)}) AS reply_speed
      FROM (SELECT s.*, (survey_cum - coalesce(lag(survey_cum) OVER (ORDER BY n), 0))::int AS survey_count FROM s) s`);

    await step("customers", "customers", `
      INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, source, created_at, updated_at)
      SELECT p.id, name, normalized_name, pinyin, pinyin_initials, stage::"Stage", r.ids[owner],
             CASE WHEN stage = 'LEAD' AND has_wechat THEN 'wechat' ELSE ${pick(sqlTextArray(SOURCES), SOURCES.length, u("n", 30))} END,
             to_timestamp(created), to_timestamp(greatest(created, i_stop - ${DAY} * 30 * ${u("n", 31)}))
      FROM bench_plan p CROSS JOIN bench_reps r ORDER BY n`);
    await restore("customers");

    await step("contacts", "contacts", `
      INSERT INTO contacts (id, customer_id, name, title, email_plaintext, phone_plaintext, wechat_open_id_plaintext, slack_user_id, locale, birthday, anniversary,
                            unsubscribed_at, survey_opt_out_at, created_at, updated_at)
      SELECT p.contact_ids[j], p.id,
             CASE WHEN cn THEN ${pick(sqlTextArray(CN_SURNAMES), CN_SURNAMES.length, u("n * 8 + j", 40))} || ${pick(sqlTextArray(CN_GIVEN), CN_GIVEN.length, u("n * 8 + j", 41))}
                  ELSE ${pick(sqlTextArray(EN_FIRST), EN_FIRST.length, u("n * 8 + j", 40))} || ' ' || ${pick(sqlTextArray(EN_LAST), EN_LAST.length, u("n * 8 + j", 41))} END,
             CASE WHEN ${u("n * 8 + j", 42)} < 0.6 THEN ${pick(sqlTextArray(TITLES), TITLES.length, u("n * 8 + j", 43))} END,
             CASE WHEN NOT (j = 1 AND has_wechat) OR ${u("n * 8 + j", 44)} < 0.4 THEN 'contact' || j || '@c' || n || '.example.com' END,
             CASE WHEN ${u("n * 8 + j", 45)} < 0.7 THEN '+86 13' || lpad((floor(${u("n * 8 + j", 46)} * 1e9))::bigint::text, 9, '0') END,
             -- openids are 28 characters; the customer number makes them unique by construction.
             CASE WHEN j = 1 AND has_wechat THEN 'oBch' || lpad(to_hex(n), 8, '0') || substr(md5(${sqlText(`${seed}:openid:`)} || n), 1, 16) END,
             CASE WHEN j = slack_contact THEN 'U0C' || lpad(to_hex(n), 8, '0') END,
             CASE WHEN cn THEN 'zh-CN' ELSE 'en' END,
             CASE WHEN ${u("n * 8 + j", 47)} < 0.3 THEN date '1965-01-01' + floor(${u("n * 8 + j", 48)} * 12000)::int END,
             CASE WHEN j = 1 AND ${u("n * 8 + j", 49)} < 0.1 THEN (to_timestamp(created) AT TIME ZONE 'Asia/Shanghai')::date END,
             CASE WHEN j = 1 AND has_wechat THEN to_timestamp(unsubscribed) END,
             CASE WHEN j = 1 THEN to_timestamp(opted_out) END,
             to_timestamp(created + 60 * (j - 1)), to_timestamp(created + 60 * (j - 1))
      FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.contacts) j`);
    await restore("contacts");

    // Each level below computes its columns once and the next one uses them by name: inlined,
    // every expression would be pasted into each use of it. OFFSET 0 keeps the levels apart.
    const orderKey = "(p.order_offset + k)";
    await step("orders", "orders", `
      INSERT INTO orders (id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, created_at)
      SELECT ${id("order", "key")}, customer_id, created_by_id, cents * 0.01, CASE WHEN usd THEN 'USD' ELSE 'CNY' END,
             -- To two places, half to even, as the app's toBase does; in integers (millionths) to stay exact and cheap.
             (base_millionths / 10000 + CASE WHEN base_millionths % 10000 > 5000 OR (base_millionths % 10000 = 5000 AND base_millionths / 10000 % 2 = 1) THEN 1 ELSE 0 END) * 0.01,
             rate_e4 * 0.0001, product, to_timestamp(at), to_timestamp(least(${NOW}, at + 3600 * d_recorded))
      FROM (
        SELECT key, customer_id, created_by_id, product, usd, cents, rate_e4, d_recorded, cents * rate_e4 AS base_millionths,
               ${officeHoursSql("raw", "o_start", "o_stop", "d_hour", "d_weekday", "d_office", 0.85)} AS at
        FROM (
          SELECT key, customer_id, usd, o_start, o_stop, d_hour, d_weekday, d_office, d_recorded, rate_e4,
                 CASE WHEN d_by < 0.9 THEN rep_ids[owner] ELSE rep_ids[1 + floor(d_by_other * ${reps})::int] END AS created_by_id,
                 (${sqlTextArray(PRODUCTS)})[1 + CASE WHEN d_product < 0.6 THEN favourite ELSE floor(d_product_other * ${PRODUCTS.length})::int END] AS product,
                 -- In the order's currency, in cents: the customer's usual ticket, give or take.
                 round(greatest(50, ticket * exp(0.5 * sqrt(-2 * ln(1 - d_amount)) * cos(2 * pi() * d_amount2))) * 1000000 / rate_e4)::bigint AS cents,
                 ${momentSql("o_start", "o_stop", "win", "rate", "d_recent", "d_position")} AS raw
          FROM (
            SELECT ${orderKey} AS key, p.id AS customer_id, p.usd, p.o_start, p.o_stop, p.win, p.rate, p.owner, p.favourite, p.ticket, r.ids AS rep_ids,
                   -- A USD rate drifting between 6.8 and 7.4 (the app's default is 7.1), to four places.
                   CASE WHEN p.usd THEN 68000 + floor(6000 * ${u(orderKey, 57)})::bigint ELSE 10000 END AS rate_e4,
                   ${u(orderKey, 50)} AS d_by, ${u(orderKey, 51)} AS d_by_other, ${u(orderKey, 52)} AS d_product, ${u(orderKey, 53)} AS d_product_other,
                   ${u(orderKey, 54)} AS d_recorded, ${u(orderKey, 55)} AS d_amount, ${u(orderKey, 56)} AS d_amount2,
                   ${u(orderKey, 58)} AS d_recent, ${u(orderKey, 59)} AS d_position, ${u(orderKey, 60)} AS d_hour, ${u(orderKey, 61)} AS d_weekday,
                   ${u(orderKey, 62)} AS d_office
            FROM bench_plan p CROSS JOIN bench_reps r CROSS JOIN LATERAL generate_series(1, p.order_count) k
            WHERE p.order_count > 0
            OFFSET 0) a
          OFFSET 0) b
        OFFSET 0) c`);
    await restore("orders");

    // Interactions come in slots of two rows: a WeChat conversation slot is a customer message
    // and a rep's reply minutes to hours later (so first-response time can be measured); any
    // other slot is two independent rows.
    const bodyExpr = (kind: string): string => `CASE WHEN cn THEN ${sqlTextArray(BODIES[kind]![0])} ELSE ${sqlTextArray(BODIES[kind]![1])} END`;
    // Channel weights: WeChat only for customers with a WeChat contact, Slack only for those on Slack Connect.
    const channelOf = (draw: string): string => {
      const wechat = "CASE WHEN has_wechat THEN 40 ELSE 0 END";
      const x = `(${draw} * (${wechat} + 62 + CASE WHEN has_slack THEN 30 ELSE 0 END) - ${wechat})`;
      return `CASE WHEN ${x} < 0 THEN 'WECHAT' WHEN ${x} < 22 THEN 'CALL' WHEN ${x} < 40 THEN 'EMAIL'
                   WHEN ${x} < 53 THEN 'MEETING' WHEN ${x} < 62 THEN 'NOTE' ELSE 'SLACK' END`;
    };
    const rowKey = "(p.interaction_offset + k)";
    const slotKey = "(p.interaction_offset + (k + 1) / 2)";
    await step("interactions", "interactions", `
      INSERT INTO interactions (id, customer_id, contact_id, author_id, channel, direction, body, source_platform, source_id, occurred_at, created_at)
      SELECT ${id("interaction", "key")}, customer_id,
             CASE WHEN channel = 'WECHAT' THEN contact_ids[1]
                  WHEN channel = 'SLACK' THEN contact_ids[slack_contact]
                  WHEN d_contact < 0.6 AND contacts > 0 THEN contact_ids[1 + floor(d_contact / 0.6 * contacts)::int] END,
             CASE WHEN direction = 'INBOUND' THEN NULL WHEN d_author < 0.85 THEN rep_ids[owner] ELSE rep_ids[1 + floor(d_author_other * ${reps})::int] END,
             channel::"Channel", direction::"Direction",
             (CASE WHEN channel = 'WECHAT' THEN CASE direction WHEN 'INBOUND' THEN ${bodyExpr("wechatIn")} WHEN 'OUTBOUND' THEN ${bodyExpr("wechatOut")} ELSE ${bodyExpr("wechatNote")} END
                   WHEN channel = 'CALL' THEN ${bodyExpr("CALL")} WHEN channel = 'MEETING' THEN ${bodyExpr("MEETING")}
                   WHEN channel = 'EMAIL' THEN ${bodyExpr("EMAIL")} WHEN channel = 'SLACK' THEN ${bodyExpr("SLACK")} ELSE ${bodyExpr("NOTE")} END)
               [1 + floor(d_body * 8)::int],
             -- Like the bot, a customer's WeChat message carries its platform message id.
             CASE WHEN channel = 'WECHAT' AND direction = 'INBOUND' THEN 'wechat' END,
             CASE WHEN channel = 'WECHAT' AND direction = 'INBOUND' THEN (7000000000000000000 + key)::text END,
             to_timestamp(at), to_timestamp(at)
      FROM (
        SELECT key, customer_id, cn, contact_ids, slack_contact, contacts, owner, rep_ids, d_contact, d_author, d_author_other, d_body,
               CASE WHEN conversation THEN 'WECHAT' ELSE own_channel END AS channel,
               CASE WHEN conversation THEN CASE WHEN second THEN 'OUTBOUND' ELSE 'INBOUND' END
                    -- WeChat outside a conversation: mostly a rep reaching out, sometimes a message left unanswered.
                    WHEN own_channel = 'WECHAT' THEN CASE WHEN d_direction < 0.15 THEN 'INBOUND' WHEN d_direction < 0.85 THEN 'OUTBOUND' ELSE 'INTERNAL' END
                    -- Reps log calls, meetings, emails, notes and Slack talks themselves: INTERNAL, as the bot records them.
                    ELSE 'INTERNAL' END AS direction,
               -- The reply of a conversation lands its delay after the message, both inside the window.
               CASE WHEN conversation
                    THEN greatest(i_start, least(${officeHoursSql("slot_raw", "i_start", "i_stop", "s_hour", "s_weekday", "s_office", 0.6)}, i_stop - delay))
                         + CASE WHEN second THEN delay ELSE 0 END
                    ELSE ${officeHoursSql("own_raw", "i_start", "i_stop", "d_hour", "d_weekday", "d_office", 0.75)} END AS at
        FROM (
          SELECT key, second, customer_id, cn, contact_ids, slack_contact, contacts, owner, rep_ids, i_start, i_stop,
                 s_hour, s_weekday, s_office, d_hour, d_weekday, d_office, d_direction, d_contact, d_author, d_author_other, d_body,
                 lead OR (${channelOf("s_channel")} = 'WECHAT' AND s_conversation < 0.85) AS conversation,
                 ${momentSql("i_start", "i_stop", "win", "rate", "s_recent", "s_position")} AS slot_raw,
                 -- Reply delay: log-normal around 25 minutes, scaled by how quick the owner is; 20 s to 20 h.
                 least(72000, greatest(20, 1500 * reply_speed * exp(1.3 * sqrt(-2 * ln(1 - s_delay)) * cos(2 * pi() * s_delay2)))) AS delay,
                 ${channelOf("d_channel")} AS own_channel,
                 ${momentSql("i_start", "i_stop", "win", "rate", "d_recent", "d_position")} AS own_raw
          FROM (
            SELECT ${rowKey} AS key, k % 2 = 0 AS second,
                   p.id AS customer_id, p.stage = 'LEAD' AS lead, p.cn, p.has_wechat, p.has_slack, p.contact_ids, p.slack_contact, p.contacts, p.owner, p.reply_speed,
                   p.i_start, p.i_stop, p.win, p.rate, r.ids AS rep_ids,
                   ${u(slotKey, 75)} AS s_channel, ${u(slotKey, 76)} AS s_conversation, ${u(slotKey, 77)} AS s_recent, ${u(slotKey, 78)} AS s_position,
                   ${u(slotKey, 79)} AS s_hour, ${u(slotKey, 80)} AS s_weekday, ${u(slotKey, 81)} AS s_office, ${u(slotKey, 82)} AS s_delay,
                   ${u(slotKey, 83)} AS s_delay2,
                   ${u(rowKey, 84)} AS d_channel, ${u(rowKey, 85)} AS d_recent, ${u(rowKey, 86)} AS d_position, ${u(rowKey, 87)} AS d_hour,
                   ${u(rowKey, 88)} AS d_weekday, ${u(rowKey, 89)} AS d_office, ${u(rowKey, 90)} AS d_direction, ${u(rowKey, 91)} AS d_contact,
                   ${u(rowKey, 92)} AS d_author, ${u(rowKey, 93)} AS d_author_other, ${u(rowKey, 94)} AS d_body
            FROM bench_plan p CROSS JOIN bench_reps r CROSS JOIN LATERAL generate_series(1, p.interaction_count) k
            WHERE p.interaction_count > 0
            OFFSET 0) a
          OFFSET 0) b
        OFFSET 0) c`);
    await restore("interactions");

    const surveyKey = "(p.survey_offset + k)";
    await step("surveys", "surveys", `
      INSERT INTO surveys (id, customer_id, contact_id, served_by_id, kind, status, trigger, platform, via, locale, score, comment,
                           sent_at, reminded_at, answered_at, closed_reason, created_at)
      SELECT ${id("survey", "key")}, customer_id, contact_id, served_by_id,
             kind::"SurveyKind", CASE WHEN answered THEN 'ANSWERED' ELSE 'EXPIRED' END::"SurveyStatus",
             CASE WHEN ${u("key", 102)} < 0.75 THEN 'AUTO' ELSE 'MANUAL' END::"SurveyTrigger",
             CASE WHEN has_wechat THEN 'wechat' ELSE 'slack' END,
             CASE WHEN NOT has_wechat THEN 'buttons' WHEN ${u("key", 103)} < 0.85 THEN 'chat' ELSE 'template' END,
             CASE WHEN has_wechat AND (cn OR ${u("key", 104)} < 0.5) THEN 'zh-CN' ELSE 'en' END,
             CASE WHEN answered THEN score END,
             CASE WHEN answered AND ${u("key", 105)} < 0.25
                  THEN CASE WHEN (kind = 'CSAT' AND score >= 4) OR (kind = 'NPS' AND score >= 7)
                            THEN ${pick(sqlTextArray(COMMENTS_GOOD), COMMENTS_GOOD.length, u("key", 106))}
                            ELSE ${pick(sqlTextArray(COMMENTS_BAD), COMMENTS_BAD.length, u("key", 106))} END END,
             to_timestamp(sent),
             -- Unanswered after a day means one reminder; unanswered after 72 hours, expired.
             CASE WHEN NOT answered OR answer_delay > ${DAY} THEN to_timestamp(sent + ${DAY}) END,
             CASE WHEN answered THEN to_timestamp(sent + answer_delay) END,
             CASE WHEN NOT answered THEN 'no-answer' END,
             to_timestamp(sent - 2)
      FROM (
        SELECT a.*, CASE WHEN kind = 'CSAT'
            THEN CASE WHEN mood < 0.55 THEN 5 WHEN mood < 0.80 THEN 4 WHEN mood < 0.90 THEN 3 WHEN mood < 0.95 THEN 2 ELSE 1 END
            ELSE CASE WHEN mood < 0.30 THEN 10 WHEN mood < 0.55 THEN 9 WHEN mood < 0.70 THEN 8 WHEN mood < 0.80 THEN 7 WHEN mood < 0.86 THEN 6
                      WHEN mood < 0.90 THEN 5 WHEN mood < 0.93 THEN 4 WHEN mood < 0.95 THEN 3 WHEN mood < 0.97 THEN 2 WHEN mood < 0.985 THEN 1 ELSE 0 END
            END AS score
        FROM (
          SELECT ${surveyKey} AS key, p.id AS customer_id, p.has_wechat, p.cn,
                 CASE WHEN p.has_wechat THEN p.contact_ids[1] ELSE p.contact_ids[p.slack_contact] END AS contact_id,
                 CASE WHEN ${u(surveyKey, 100)} < 0.8 THEN r.ids[p.owner] ELSE r.ids[1 + floor(${u(surveyKey, 101)} * ${reps})::int] END AS served_by_id,
                 CASE WHEN ${u(surveyKey, 107)} < 0.85 THEN 'CSAT' ELSE 'NPS' END AS kind,
                 ${u(surveyKey, 108)} < CASE p.stage WHEN 'CHURNED' THEN 0.35 WHEN 'AT_RISK' THEN 0.5 ELSE 0.65 END AS answered,
                 -- Unhappy customers score lower: their draw is pushed toward the low-score tail.
                 CASE WHEN p.stage IN ('AT_RISK', 'CHURNED') THEN sqrt(${u(surveyKey, 109)}) ELSE ${u(surveyKey, 109)} END AS mood,
                 p.s_start + (p.s_stop - p.s_start) * ${u(surveyKey, 110)} AS sent,
                 least(${71 * 3600}, greatest(30, exp(ln(1200) + 1.6 * ${z(surveyKey, 111)}))) AS answer_delay
          FROM bench_plan p CROSS JOIN bench_reps r CROSS JOIN LATERAL generate_series(1, p.survey_count) k
          WHERE p.survey_count > 0
          OFFSET 0) a
        OFFSET 0) b`);
    await restore("surveys");

    // The same aggregate the bot's recomputeCustomerStats writes; like the bot, only customers
    // with an order or an interaction have a row.
    await step("customer_stats", "customer_stats", `
      INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)
      SELECT c.id, coalesce(o.n, 0), coalesce(o.total, 0), o.first, o.last, coalesce(i.n, 0), i.last
      FROM customers c
      LEFT JOIN (SELECT customer_id, count(*)::int AS n, sum(base_amount) AS total, min(ordered_at) AS first, max(ordered_at) AS last
                 FROM orders GROUP BY customer_id) o ON o.customer_id = c.id
      LEFT JOIN (SELECT customer_id, count(*)::int AS n, max(occurred_at) AS last
                 FROM interactions GROUP BY customer_id) i ON i.customer_id = c.id
      WHERE o.n IS NOT NULL OR i.n IS NOT NULL`);
    await restore("customer_stats");

    // Deals (store/deals): 55% open, spread over the stages, 25% won, 20% lost, on customers
    // picked at random, owned by the customer's owner. Each walks the stages one at a time from
    // qualification to where it is (a lost one leaves from some stage), its moves spread evenly
    // between its creation and its close (or, for an open one, a day of the last four months), so /pipeline's
    // closing lists, win rates and movers all have rows to find.
    if (deals > 0) {
      const k = "d.k";
      await client.query(`
        CREATE TEMP TABLE bench_deals ON COMMIT DROP AS
        SELECT b.*, CASE outcome WHEN 'open' THEN reach WHEN 'won' THEN ${OPEN_STAGES.length} ELSE reach + 1 END AS steps
        FROM (
          SELECT ${k} AS k, ${id("deal", k)} AS id, p.id AS customer_id, r.ids[p.owner] AS owner_id,
                 CASE WHEN ${u(k, 120)} < 0.55 THEN 'open' WHEN ${u(k, 120)} < 0.80 THEN 'won' ELSE 'lost' END AS outcome,
                 floor(${u(k, 121)} * ${OPEN_STAGES.length})::int AS reach,
                 CASE WHEN ${u(k, 122)} < 0.1 THEN NULL ELSE round(exp(ln(20000) + 0.9 * ${z(k, 123)})::numeric, 2) END AS amount,
                 ${NOW} - ${DAY} * (1 + 420 * ${u(k, 125)}) AS created,
                 ${u(k, 126)} AS closing_draw
          FROM generate_series(1, ${deals}) d(k)
          JOIN bench_plan p ON p.n = 1 + floor(${u(k, 127)} * ${customers})::int
          CROSS JOIN bench_reps r
          OFFSET 0) b`);
      await step("deals", "deals", `
        INSERT INTO deals (id, customer_id, owner_id, created_by_id, title, amount, currency, base_amount, rate_to_base, status, stage, expected_close_at, closed_at,
                           lost_reason, last_activity_at, created_at, updated_at)
        SELECT id, customer_id, owner_id, owner_id, ${pick(sqlTextArray(DEAL_TITLES), DEAL_TITLES.length, u("k", 128))} || ' #' || k,
               amount, CASE WHEN amount IS NOT NULL THEN 'CNY' END, amount, CASE WHEN amount IS NOT NULL THEN 1 END,
               upper(outcome)::"DealStatus",
               CASE outcome WHEN 'open' THEN (${sqlTextArray(OPEN_STAGES)})[reach + 1] ELSE outcome END,
               -- Open deals expect to close from a month ago to four months ahead; closed ones when they were due.
               to_timestamp(CASE WHEN outcome = 'open' THEN ${NOW} - ${DAY} * 30 + ${DAY} * 150 * closing_draw ELSE ended END),
               CASE WHEN outcome <> 'open' THEN to_timestamp(ended) END,
               CASE WHEN outcome = 'lost' THEN 'price' END,
               to_timestamp(ended), to_timestamp(created), to_timestamp(ended)
        FROM (SELECT bd.*, CASE WHEN outcome = 'open' THEN ${NOW} - ${DAY} * 120 * closing_draw ELSE created + (${NOW} - created) * closing_draw END AS ended FROM bench_deals bd) d
        ORDER BY k`);
      await step("deals", "deal_stage_changes", `
        INSERT INTO deal_stage_changes (id, deal_id, from_stage, to_stage, changed_by_id, at)
        SELECT ${id("dealChange", "d.k * 8 + s")}, d.id,
               CASE WHEN s = 0 THEN NULL ELSE (${sqlTextArray(OPEN_STAGES)})[s] END,
               CASE WHEN s < d.steps OR d.outcome = 'open' THEN (${sqlTextArray(OPEN_STAGES)})[s + 1] ELSE d.outcome END,
               d.owner_id,
               to_timestamp(d.created + (dl.ended - d.created) * s / greatest(d.steps, 1))
        FROM bench_deals d
        CROSS JOIN LATERAL (SELECT CASE WHEN d.outcome = 'open' THEN ${NOW} - ${DAY} * 120 * d.closing_draw ELSE d.created + (${NOW} - d.created) * d.closing_draw END AS ended) dl
        CROSS JOIN LATERAL generate_series(0, d.steps) s
        ORDER BY d.k, s`);
    }
    await restore("deals");
    await restore("deal_stage_changes");

    // The analytics tables (src/store/analytics/analytics.ts), set-based like everything here: what the
    // write path keeps per customer and per WeChat contact, then the rollups of every complete
    // hour and day, exactly as the analytics job would roll them.
    await step("analytics", "customer_order_months", rebuildPurchaseMonthsSql("all"));
    await step("analytics", "wechat_waits", REBUILD_WECHAT_WAITS_SQL);
    for (const kind of ROLLUP_KINDS) {
      const { lock, build } = rollUpStatements(kind);
      await client.query(lock);
      await step("analytics", `rollup ${kind}`, build);
    }

    const committing = performance.now();
    await client.query("COMMIT");
    spent("commit", "load", committing);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  // A loaded database has been vacuumed by now in real life: set hint bits and the visibility
  // map (index-only scans) and gather statistics so the benchmarks measure queries, not cleanup.
  const t = performance.now();
  await pool.query(`VACUUM (ANALYZE) users, ${[...LOADED_TABLES, ...ANALYTICS_TABLES].join(", ")}`);
  spent("vacuum analyze", "load", t);
  return { seconds: (performance.now() - started) / 1000, counts, timings };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "100000" },
      orders: { type: "string", default: "2000000" },
      interactions: { type: "string", default: "5000000" },
      surveys: { type: "string", default: "50000" },
      deals: { type: "string", default: "200000" },
      reps: { type: "string", default: "20" },
      seed: { type: "string", default: "42" },
      now: { type: "string" },
      db: { type: "string", default: "crm_bench_analytics" },
      drop: { type: "boolean", default: false },
    },
  });
  if (!/^[a-z_][a-z0-9_]*$/.test(values.db)) throw new Error(`--db must be a plain lower-case identifier, got ${values.db}`);
  const options: AnalyticsDataOptions = {
    customers: Number(values.customers),
    orders: Number(values.orders),
    interactions: Number(values.interactions),
    surveys: Number(values.surveys),
    deals: Number(values.deals),
    reps: Number(values.reps),
    seed: Number(values.seed),
    now: values.now ? new Date(values.now) : new Date(),
  };
  const started = performance.now();
  const database = await createBenchDatabase(values.db);
  console.log(`database ${values.db} created and migrated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const result = await generateAnalyticsData(pool, options);
    const s = (seconds: number): string => seconds.toFixed(1);
    console.log("| step | rows | load s | indexes and keys s | total s |\n| --- | ---: | ---: | ---: | ---: |");
    for (const [label, { load, indexes }] of Object.entries(result.timings)) {
      const rows = result.counts[label];
      console.log(`| ${label} | ${rows === undefined ? "" : rows.toLocaleString("en")} | ${s(load)} | ${indexes ? s(indexes) : ""} | ${s(load + indexes)} |`);
    }
    console.log(`| total | | | | ${s(result.seconds)} |`);
  } finally {
    await pool.end();
    if (values.drop) {
      await database.drop();
      console.log(`dropped ${values.db}`);
    }
  }
  if (!values.drop) {
    console.log(`DATABASE_URL=${database.url}`);
    process.exit(0); // the admin pool of createBenchDatabase stays open for drop(), which is not coming
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
