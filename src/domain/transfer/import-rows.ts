/**
 * One row of an imported file read into the record it describes, with the same rules as every
 * other way in (money.ts, phone-number.ts, contact-details.ts, customer-fields.ts, the stage and
 * channel words), or the problems that keep it out: which column, what is wrong and what would
 * work, as catalogue keys with their values (the service words them in the rep's language).
 */
import { z } from "zod";
import { addDays, dateInZone, instantOfLocalTime, isCalendarDate } from "../time/calendar-date.js";
import { checkContactFields, readContactDate, type ContactValues } from "../customers/contact-details.js";
import { currencyNamed } from "../language/currency-words.js";
import { FIELD_LIMITS, MAX_CUSTOMER_NAME_LENGTH, isNameLike, normalizeWebsite, parseStage, parseTags } from "../customers/customer-fields.js";
import { nameKeys, tidyDisplayName, type NameKeys } from "../language/customer-name.js";
import type { Stage } from "../customers/customer-stage.js";
import { unescapeFormula } from "./spreadsheet-cell.js";
import type { ImportKind, Mapping } from "./import-mapping.js";
import type { Channel } from "../interaction-channel.js";
import { CURRENCY_DIGITS, Decimal, MAX_ORDER_AMOUNT, readAmountToken, toBase } from "../money.js";
import { storableText } from "../language/storable-text.js";

/** Longer cells are no CRM field anyone types; the note of an interaction is the longest. */
export const MAX_CELL_LENGTH = 10_000;
/** An external id is a key, not a text. */
export const MAX_EXTERNAL_ID = 200;
/** An imported note may be longer than one typed in chat (Slack's modal caps those at 2,900). */
export const MAX_IMPORTED_NOTE = MAX_CELL_LENGTH;

/** What a cell holds once read: text, or a formula (XLSX) that is never evaluated. */
export type Cell = string | { formula: string };

/** A problem of one row: the column's header as the file writes it (null: the row as a whole). */
export interface RowProblem {
  column: string | null;
  /** Catalogue key of the message (import.problem.*). */
  key: string;
  params: Record<string, string | number>;
}

/** Which customer a row is about: by id (ours or the source system's) and/or by name. */
export interface CustomerRef {
  /** The customer column of the file: a record id of ours or an external id. */
  id?: string;
  name?: string;
  keys?: NameKeys;
}

export interface CustomerRow {
  externalId: string | null;
  name: string;
  keys: NameKeys;
  /** Only the fields the file has a value for: an empty cell never clears what is stored. */
  stage?: Stage;
  owner?: string;
  industry?: string;
  website?: string;
  address?: string;
  about?: string;
  tags?: string[];
  source?: string;
  contact?: Pick<ContactValues, "name" | "title" | "email" | "phone">;
}

export interface ContactRow {
  externalId: string | null;
  customer: CustomerRef;
  values: Partial<ContactValues> & { name: string };
  wechatOpenId?: string;
}

export interface OrderRow {
  externalId: string | null;
  customer: CustomerRef;
  /** Decimal strings. */
  amount: string;
  currency: string;
  baseAmount: string;
  rateToBase: string;
  product: string | null;
  orderedAt: Date;
}

export type Direction = "INBOUND" | "OUTBOUND" | "INTERNAL";

export interface InteractionRow {
  externalId: string | null;
  customer: CustomerRef;
  contactName: string | null;
  channel: Channel;
  direction: Direction;
  body: string;
  occurredAt: Date;
}

export type ImportRow =
  | { kind: "customers"; row: CustomerRow }
  | { kind: "contacts"; row: ContactRow }
  | { kind: "orders"; row: OrderRow }
  | { kind: "interactions"; row: InteractionRow };

export type RowReading = { ok: true; value: ImportRow } | { ok: false; problems: RowProblem[] };

export interface RowRules {
  /** DEFAULT_PHONE_REGION. */
  region: string;
  /** Dates and times without a zone are read in this one (the rep's). */
  timeZone: string;
  now: Date;
  baseCurrency: string;
  /** Rates to the base currency (decimal strings) of the currencies orders may be in. */
  ratesToBase: ReadonlyMap<string, string>;
}

/**
 * Spreadsheets run a cell that starts with "=" or "@", or with "+" or "-" followed by a name or
 * a bracket, as a formula (CSV injection: `=HYPERLINK("http://evil","click")`). Such a cell is
 * refused, never stored: stored, it would run in the spreadsheet of whoever exports it later.
 * A phone ("+86 138…") or an amount ("-5") starts with a sign and a digit, and passes. Text an
 * export escaped with an apostrophe ("'=x") is read back as the text it was.
 */
const FORMULA = /^(?:[=@]|[+-]\s*[\p{L}_(=@"'])/u;
/** A sign, a number, then arithmetic ("-2+3", "+1*A1"): a formula too. */
const SIGNED_ARITHMETIC = /^[+-]\s*\d.*[=*/^&|!+]/u;

export function isFormulaText(text: string): boolean {
  return FORMULA.test(text) || SIGNED_ARITHMETIC.test(text);
}

const CHANNEL_WORDS: Readonly<Record<string, Channel>> = {
  call: "CALL", phone: "CALL", 电话: "CALL", 通话: "CALL",
  meeting: "MEETING", meet: "MEETING", visit: "MEETING", 会议: "MEETING", 拜访: "MEETING", 见面: "MEETING",
  email: "EMAIL", mail: "EMAIL", "e-mail": "EMAIL", 邮件: "EMAIL",
  wechat: "WECHAT", 微信: "WECHAT",
  slack: "SLACK",
  note: "NOTE", notes: "NOTE", 备注: "NOTE", 笔记: "NOTE",
};

const DIRECTION_WORDS: Readonly<Record<string, Direction>> = {
  inbound: "INBOUND", in: "INBOUND", incoming: "INBOUND", received: "INBOUND", 收: "INBOUND", 收到: "INBOUND", 客户发来: "INBOUND", 来信: "INBOUND",
  outbound: "OUTBOUND", out: "OUTBOUND", outgoing: "OUTBOUND", sent: "OUTBOUND", 发: "OUTBOUND", 发出: "OUTBOUND", 回复: "OUTBOUND",
  internal: "INTERNAL", 内部: "INTERNAL", 记录: "INTERNAL",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** "2026-03-05T10:20:00+08:00", "2026-03-05T02:20:00.000Z": an instant written with its zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** "2026-03-05 10:20", "2026/3/5 10:20:30", "2026年3月5日 10:20": a wall-clock time in the rep's zone. */
const LOCAL_TIME = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?$/u;

/**
 * Reads the rows of one import: a checker per run, since it keeps what it already worked out
 * (the instant of each calendar date in the zone: a million orders fall on a few thousand days).
 */
export class RowChecker {
  private readonly noonOf = new Map<string, Date>();
  /** Orders and interactions name the same customers over and over: their keys (pinyin and all) are worked out once. */
  private readonly keysOf = new Map<string, NameKeys>();
  private readonly today: string;
  /** An instant after which nothing that happened can lie (a day of clock skew allowed). */
  private readonly latest: number;

  constructor(private readonly rules: RowRules) {
    this.today = dateInZone(rules.now, rules.timeZone);
    this.latest = rules.now.getTime() + 86_400_000;
  }

  /** Reads one row by the mapping; `cells[i]` is the i-th column of the file. */
  read(kind: ImportKind, mapping: Mapping, cells: readonly Cell[]): RowReading {
    const problems: RowProblem[] = [];
    const values = new Map<string, { header: string; text: string }>();
    /** Fields whose cell was refused already (a formula, too long): nothing more is said of them. */
    const refused = new Set<string>();
    for (let i = 0; i < mapping.length; i++) {
      const { header, field } = mapping[i]!;
      if (field === null) continue;
      const cell = cells[i];
      if (cell === undefined) continue;
      if (typeof cell !== "string") {
        problems.push({ column: header, key: "import.problem.formula", params: { value: shown(`=${cell.formula}`) } });
        refused.add(field);
        continue;
      }
      const text = unescapeFormula(cell.trim());
      if (text === "") continue;
      if (text !== cell.trim() || !isFormulaText(text)) {
        if (text.length > MAX_CELL_LENGTH) {
          problems.push({ column: header, key: "import.problem.tooLong", params: { length: text.length, max: MAX_CELL_LENGTH } });
          refused.add(field);
        } else values.set(field, { header, text: storableText(text) });
      } else {
        problems.push({ column: header, key: "import.problem.formula", params: { value: shown(text) } });
        refused.add(field);
      }
    }
    const get = (field: string) => values.get(field);
    const fail = (field: string, key: string, params: Record<string, string | number> = {}) => {
      if (refused.has(field)) return;
      const v = get(field);
      problems.push({ column: v?.header ?? null, key, params: { value: shown(v?.text ?? ""), ...params } });
    };
    const externalId = this.externalId(get("id"), problems);
    let value: ImportRow | undefined;
    switch (kind) {
      case "customers":
        value = this.customer(get, fail, externalId);
        break;
      case "contacts":
        value = this.contact(get, fail, externalId);
        break;
      case "orders":
        value = this.order(get, fail, externalId);
        break;
      case "interactions":
        value = this.interaction(get, fail, externalId);
        break;
    }
    return problems.length > 0 || !value ? { ok: false, problems } : { ok: true, value };
  }

  private externalId(cell: { header: string; text: string } | undefined, problems: RowProblem[]): string | null {
    if (!cell) return null;
    if (cell.text.length > MAX_EXTERNAL_ID) {
      problems.push({ column: cell.header, key: "import.problem.idTooLong", params: { max: MAX_EXTERNAL_ID } });
      return null;
    }
    return cell.text;
  }

  private customerRef(get: Getter, fail: Fail): CustomerRef | undefined {
    const id = get("customerId")?.text;
    const name = get("customer")?.text;
    if (!id && !name) {
      missing(fail, "customer", "import.problem.noCustomer");
      return undefined;
    }
    const ref: CustomerRef = {};
    if (id) {
      if (id.length > MAX_EXTERNAL_ID) return void fail("customerId", "import.problem.idTooLong", { max: MAX_EXTERNAL_ID });
      ref.id = id;
    }
    if (name) {
      let keys = this.keysOf.get(name);
      if (!keys) {
        if (this.keysOf.size >= 100_000) this.keysOf.clear();
        keys = nameKeys(name);
        this.keysOf.set(name, keys);
      }
      if (!isNameLike(name) || [...keys.normalizedName].length === 0) return void fail("customer", "import.problem.customerName");
      ref.name = tidyDisplayName(name);
      ref.keys = keys;
    }
    return ref;
  }

  private customer(get: Getter, fail: Fail, externalId: string | null): ImportRow | undefined {
    const rawName = get("name")?.text;
    if (!rawName) return void missing(fail, "name", "import.problem.noName");
    const name = tidyDisplayName(rawName);
    if ([...name].length > MAX_CUSTOMER_NAME_LENGTH) return void fail("name", "import.problem.nameTooLong", { max: MAX_CUSTOMER_NAME_LENGTH });
    if (!isNameLike(name)) return void fail("name", "import.problem.customerName");
    const row: CustomerRow = { externalId, name, keys: nameKeys(name) };
    const stageText = get("stage")?.text;
    if (stageText) {
      const stage = parseStage(stageText);
      if (stage) row.stage = stage;
      else fail("stage", "import.problem.stage");
    }
    const owner = get("owner")?.text;
    if (owner) row.owner = owner;
    for (const field of ["industry", "address", "about", "source"] as const) {
      const text = get(field)?.text;
      if (!text) continue;
      if ([...text].length > FIELD_LIMITS[field]) fail(field, "import.problem.fieldTooLong", { max: FIELD_LIMITS[field] });
      else row[field] = text.replace(field === "about" ? /[^\S\n]+/g : /\s+/g, " ");
    }
    const website = get("website")?.text;
    if (website) {
      const stored = normalizeWebsite(website);
      if (stored) row.website = stored;
      else fail("website", "import.problem.website");
    }
    const tagText = get("tags")?.text;
    if (tagText) {
      const read = parseTags(tagText);
      if ("tags" in read) row.tags = read.tags;
      else fail("tags", `import.problem.tags.${read.problem.kind}`, { tag: "tag" in read.problem ? read.problem.tag : "", count: "count" in read.problem ? read.problem.count : 0, max: 20 });
    }
    const contactName = get("contactName")?.text;
    const person = { name: contactName, title: get("contactTitle")?.text, email: get("contactEmail")?.text, phone: get("contactPhone")?.text };
    if (person.name || person.email || person.phone) {
      // A person without a name is named by how to reach them, so the row is not lost.
      const checked = checkContactFields({ name: person.name ?? person.email ?? person.phone ?? "", title: person.title ?? null, email: person.email ?? null, phone: person.phone ?? null }, this.contactRules());
      if (checked.ok) row.contact = checked.values as CustomerRow["contact"];
      else for (const p of checked.problems) fail(`contact${p.field[0]!.toUpperCase()}${p.field.slice(1)}`, p.key, p.params);
    }
    return { kind: "customers", row };
  }

  private contactRules() {
    return { region: this.rules.region, today: this.today };
  }

  private contact(get: Getter, fail: Fail, externalId: string | null): ImportRow | undefined {
    const customer = this.customerRef(get, fail);
    const input: Record<string, string | null> = {};
    for (const field of ["name", "title", "email", "phone", "birthday", "anniversary"] as const) {
      const text = get(field)?.text;
      if (text !== undefined) input[field] = text;
    }
    if (!input.name) return void missing(fail, "name", "import.problem.noContactName");
    const checked = checkContactFields(input, this.contactRules());
    if (!checked.ok) {
      for (const p of checked.problems) fail(p.field, p.key, p.params);
      return undefined;
    }
    const openId = get("wechatOpenId")?.text;
    if (openId && !/^[\w-]{6,64}$/.test(openId)) return void fail("wechatOpenId", "import.problem.openId");
    if (!customer) return undefined;
    return { kind: "contacts", row: { externalId, customer, values: checked.values as ContactRow["values"], ...(openId ? { wechatOpenId: openId } : {}) } };
  }

  private order(get: Getter, fail: Fail, externalId: string | null): ImportRow | undefined {
    const customer = this.customerRef(get, fail);
    const amountText = get("amount")?.text;
    const currencyText = get("currency")?.text;
    let currency: string | undefined;
    if (currencyText) {
      currency = currencyNamed(currencyText)?.code ?? (/^[A-Za-z]{3}$/.test(currencyText) ? currencyText.toUpperCase() : undefined);
      if (!currency) fail("currency", "import.problem.currency");
    }
    let amount: Decimal | undefined;
    if (!amountText) missing(fail, "amount", "import.problem.noAmount");
    else {
      const read = readAmountToken(amountText.replace(/\s+/g, ""));
      if (/^[-−]\s*\d/u.test(amountText)) fail("amount", "import.problem.amountNotPositive");
      else if (read?.kind !== "amount") fail("amount", "import.problem.amount");
      else if (read.currency && currency && read.currency !== currency) fail("amount", "import.problem.twoCurrencies", { currency });
      else {
        amount = read.amount;
        currency ??= read.currency;
      }
    }
    currency ??= this.rules.baseCurrency;
    const rate = this.rules.ratesToBase.get(currency);
    if (currencyText && !rate && currency) fail("currency", "import.problem.noRate", { currency, base: this.rules.baseCurrency });
    if (amount) {
      const digits = CURRENCY_DIGITS[currency] ?? 2;
      if (amount.lte(0)) fail("amount", "import.problem.amountNotPositive");
      else if (amount.gt(MAX_ORDER_AMOUNT)) fail("amount", "import.problem.amountTooLarge");
      else if (amount.decimalPlaces() > digits) fail("amount", "import.problem.amountDigits", { currency, digits });
    }
    const orderedAt = this.instant(get, fail, "orderedAt", "import.problem.noDate");
    const product = get("product")?.text;
    if (product && [...product].length > 200) fail("product", "import.problem.fieldTooLong", { max: 200 });
    if (!customer || !amount || !orderedAt || !rate) return undefined;
    return {
      kind: "orders",
      row: {
        externalId, customer, amount: amount.toFixed(), currency, rateToBase: rate,
        baseAmount: toBase(amount, new Decimal(rate)).toFixed(2), product: product ? product.replace(/\s+/g, " ") : null, orderedAt,
      },
    };
  }

  private interaction(get: Getter, fail: Fail, externalId: string | null): ImportRow | undefined {
    const customer = this.customerRef(get, fail);
    let channel: Channel = "NOTE";
    const channelText = get("channel")?.text;
    if (channelText) {
      const key = channelText.normalize("NFKC").trim().toLowerCase();
      const found = Object.hasOwn(CHANNEL_WORDS, key) ? CHANNEL_WORDS[key] : (["CALL", "MEETING", "EMAIL", "WECHAT", "SLACK", "NOTE"] as const).find((c) => c === key.toUpperCase());
      if (found) channel = found;
      else fail("channel", "import.problem.channel");
    }
    let direction: Direction = "INTERNAL";
    const directionText = get("direction")?.text;
    if (directionText) {
      const key = directionText.normalize("NFKC").trim().toLowerCase();
      const found = Object.hasOwn(DIRECTION_WORDS, key) ? DIRECTION_WORDS[key] : (["INBOUND", "OUTBOUND", "INTERNAL"] as const).find((d) => d === key.toUpperCase());
      if (found) direction = found;
      else fail("direction", "import.problem.direction");
    }
    const body = get("body")?.text;
    if (!body) missing(fail, "body", "import.problem.noText");
    const occurredAt = this.instant(get, fail, "occurredAt", "import.problem.noDate");
    const contact = get("contact")?.text ?? null;
    if (contact && [...contact].length > 100) fail("contact", "import.problem.fieldTooLong", { max: 100 });
    if (!customer || !body || !occurredAt) return undefined;
    return { kind: "interactions", row: { externalId, customer, contactName: contact, channel, direction, body, occurredAt } };
  }

  /**
   * A date or time: an instant with its zone as exports write it, a wall-clock time in the rep's
   * zone, or a calendar date (placed at local noon, as /order does). Nothing that happened lies
   * ahead of today.
   */
  private instant(get: Getter, fail: Fail, field: string, missingKey: string): Date | undefined {
    const text = get(field)?.text;
    if (!text) return void missing(fail, field, missingKey);
    const at = this.readInstant(text.normalize("NFKC"));
    if (!at) return void fail(field, "import.problem.date");
    if (at.getTime() > this.latest) return void fail(field, "import.problem.future", { today: this.today });
    if (at.getUTCFullYear() < 1900) return void fail(field, "import.problem.date");
    return at;
  }

  private readInstant(text: string): Date | undefined {
    if (ISO_INSTANT.test(text)) {
      const at = new Date(text.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
      return Number.isNaN(at.getTime()) ? undefined : at;
    }
    const local = LOCAL_TIME.exec(text);
    if (local) {
      const date = `${local[1]}-${local[2]!.padStart(2, "0")}-${local[3]!.padStart(2, "0")}`;
      const [hour, minute, second] = [Number(local[4]), Number(local[5]), Number(local[6] ?? 0)];
      if (!isCalendarDate(date) || hour > 23 || minute > 59 || second > 59) return undefined;
      return new Date(instantOfLocalTime(date, this.rules.timeZone, hour, minute).getTime() + second * 1000);
    }
    const date = readContactDate(text);
    if (!date || !isCalendarDate(date)) return undefined;
    let noon = this.noonOf.get(date);
    if (!noon) {
      // Today's date means now, as on /order (noon may not have come yet).
      noon = date === this.today ? this.rules.now : instantOfLocalTime(date, this.rules.timeZone);
      this.noonOf.set(date, noon);
    }
    return noon;
  }

  /** Today in the rules' zone, and the day before, for messages and tests. */
  get days(): { today: string; yesterday: string } {
    return { today: this.today, yesterday: addDays(this.today, -1) };
  }
}

type Getter = (field: string) => { header: string; text: string } | undefined;
type Fail = (field: string, key: string, params?: Record<string, string | number>) => void;

/** A required field with no value: the problem names the field's column, or the row when it has none. */
function missing(fail: Fail, field: string, key: string): void {
  fail(field, key);
}

/** What was in a cell, cut so a pasted page stays readable in a message. */
function shown(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** The schema a row's problem list is stored and sent as (the chat preview, the job's report). */
export const rowProblemSchema = z.object({ column: z.string().nullable(), key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) });
