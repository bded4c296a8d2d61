/**
 * Which field each column of an imported file fills: the headers are matched forgivingly against
 * the shared column words (import-columns.ts: English and Chinese, case, spaces, punctuation and
 * full-width forms ignored), the kind of data is guessed from them when the rep did not say, and
 * the result is a mapping the rep can confirm or change before anything is written.
 */
import { COLUMNS, findColumn, headerKey, type ColumnDefinition } from "./import-columns.js";

export const IMPORT_KINDS = ["customers", "contacts", "orders", "interactions"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Kind words a rep types ("/crm import orders", "导入 订单", "--kind 客户"). */
const KIND_WORDS: Readonly<Record<string, ImportKind>> = {
  customers: "customers", customer: "customers", 客户: "customers",
  contacts: "contacts", contact: "contacts", 联系人: "contacts",
  orders: "orders", order: "orders", 订单: "orders",
  interactions: "interactions", interaction: "interactions", notes: "interactions", 沟通记录: "interactions", 记录: "interactions", 互动: "interactions",
};

export function parseImportKind(word: string): ImportKind | undefined {
  const key = word.normalize("NFKC").trim().toLowerCase();
  return Object.hasOwn(KIND_WORDS, key) ? KIND_WORDS[key] : undefined;
}

/**
 * A customers file may carry one contact person on each row (the usual spreadsheet of
 * companies with a name, phone and email): these columns fill that contact. Their words are the
 * contact columns' own, less the ones a customers file uses for the company ("name").
 */
const CONTACT_PERSON: readonly ColumnDefinition[] = [
  { key: "contactName", header: { en: "Contact", "zh-CN": "联系人" }, aliases: ["contact name", "contact person", "联系人姓名", "姓名", "名字"], type: "text" },
  { key: "contactTitle", header: { en: "Title", "zh-CN": "职位" }, aliases: ["job title", "position", "职务", "头衔"], type: "text" },
  { key: "contactEmail", header: { en: "Email", "zh-CN": "邮箱" }, aliases: ["e-mail", "mail", "email address", "邮件", "电子邮件", "电子邮箱", "邮箱地址"], type: "text", personal: true },
  { key: "contactPhone", header: { en: "Phone", "zh-CN": "电话" }, aliases: ["mobile", "tel", "telephone", "phone number", "cell", "手机", "手机号", "手机号码", "联系电话", "电话号码"], type: "text", personal: true },
];

const CONTACT_PERSON_KEYS: ReadonlyMap<string, ColumnDefinition> = new Map(
  CONTACT_PERSON.flatMap((c) => [c.header.en, c.header["zh-CN"], ...c.aliases].map((w) => [headerKey(w), c] as const)),
);

/** The columns an import of a kind fills: the shared ones it can write back, and the contact person of a customers file. */
export function importColumns(kind: ImportKind): readonly ColumnDefinition[] {
  const own = COLUMNS[kind].filter((c) => !c.derived);
  return kind === "customers" ? [...own, ...CONTACT_PERSON] : own;
}

/** The field keys an import of a kind knows, for a mapping the rep changes. */
export function importFields(kind: ImportKind): string[] {
  return importColumns(kind).map((c) => c.key);
}

function columnFor(kind: ImportKind, header: string): ColumnDefinition | undefined {
  const found = findColumn(kind, header);
  if (found && !found.derived) return found;
  if (found?.derived) return undefined;
  return kind === "customers" ? CONTACT_PERSON_KEYS.get(headerKey(header)) : undefined;
}

/** One column of the file: its header as written and the field it fills (null: left out). */
export interface MappedColumn {
  header: string;
  field: string | null;
}

export type Mapping = MappedColumn[];

/**
 * The fields a kind cannot do without; `one of` lists mean any of them will do (a customer is
 * named by its name or its id).
 */
const REQUIRED: Readonly<Record<ImportKind, readonly (readonly string[])[]>> = {
  customers: [["name"]],
  contacts: [["customer", "customerId"], ["name"]],
  orders: [["customer", "customerId"], ["amount"], ["orderedAt"]],
  interactions: [["customer", "customerId"], ["body"], ["occurredAt"]],
};

/**
 * The mapping the headers suggest: each header to the field it names, the first column winning
 * when two name the same field (the second is left out, and reported by checkMapping).
 */
export function suggestMapping(kind: ImportKind, headers: readonly string[]): Mapping {
  const taken = new Set<string>();
  return headers.map((header) => {
    const column = columnFor(kind, header);
    if (!column || taken.has(column.key)) return { header, field: null };
    taken.add(column.key);
    return { header, field: column.key };
  });
}

export type MappingProblem =
  /** None of these fields has a column. */
  | { kind: "missing"; fields: readonly string[] }
  /** Two columns fill one field. */
  | { kind: "twice"; field: string; headers: [string, string] }
  /** A field this kind does not have. */
  | { kind: "unknown"; field: string; header: string };

/** What stops a mapping from being imported: a required field without a column, a field filled twice, a field that does not exist. */
export function checkMapping(kind: ImportKind, mapping: Mapping): MappingProblem[] {
  const fields = new Set(importFields(kind));
  const problems: MappingProblem[] = [];
  const seen = new Map<string, string>();
  for (const { header, field } of mapping) {
    if (field === null) continue;
    if (!fields.has(field)) problems.push({ kind: "unknown", field, header });
    const before = seen.get(field);
    if (before !== undefined) problems.push({ kind: "twice", field, headers: [before, header] });
    else seen.set(field, header);
  }
  for (const anyOf of REQUIRED[kind]) {
    if (!anyOf.some((f) => seen.has(f))) problems.push({ kind: "missing", fields: anyOf });
  }
  return problems;
}

/** Fields that only a customers file has. */
const CUSTOMER_ONLY = new Set(["stage", "owner", "industry", "website", "address", "about", "tags", "source"]);

/**
 * The kind of data the headers describe, when they say it clearly: an amount makes orders, a
 * text or channel column with a time interactions, company fields (stage, owner, industry ...)
 * or a customer name customers, a contact person with a customer id contacts. Undefined when
 * nothing fits: the rep is asked.
 */
export function guessKind(headers: readonly string[]): ImportKind | undefined {
  const has = (kind: ImportKind, field: string) => headers.some((h) => columnFor(kind, h)?.key === field);
  if (has("orders", "amount") && (has("orders", "customer") || has("orders", "customerId"))) return "orders";
  if ((has("interactions", "body") || has("interactions", "channel")) && (has("interactions", "customer") || has("interactions", "customerId")) && has("interactions", "occurredAt")) return "interactions";
  const customerFields = headers.some((h) => CUSTOMER_ONLY.has(findColumn("customers", h)?.key ?? ""));
  if (customerFields && has("customers", "name")) return "customers";
  // Contacts that name their customer by id come from an export of contacts; a sheet of company
  // names with a person, phone and email is a customer list, and importing it as customers
  // creates the missing companies and adds each row's person to theirs.
  if (has("contacts", "name") && has("contacts", "customerId")) return "contacts";
  if (has("customers", "name")) return "customers";
  if (has("contacts", "name") && has("contacts", "customer")) return "contacts";
  return undefined;
}

/** A mapping read from the command line: "Header=field,Other=-" (a dash leaves a column out). */
export function mappingOverrides(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const part of text.split(",")) {
    const at = part.lastIndexOf("=");
    if (at <= 0) continue;
    const field = part.slice(at + 1).trim();
    out.set(headerKey(part.slice(0, at)), field === "-" || field === "" ? null : field);
  }
  return out;
}

/** The suggested mapping with the rep's changes (by header, forgiving as ever). */
export function applyOverrides(mapping: Mapping, overrides: ReadonlyMap<string, string | null>): Mapping {
  return mapping.map((m) => {
    const key = headerKey(m.header);
    return overrides.has(key) ? { header: m.header, field: overrides.get(key) ?? null } : m;
  });
}
