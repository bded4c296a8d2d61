import { createHash, randomUUID } from "node:crypto";
import { hasChinese, type NameKeys } from "../../domain/language/customer-name.js";
import type { ImportKind, Mapping } from "../../domain/transfer/import-mapping.js";
import { RowChecker, isUuid, type Cell, type ContactRow, type CustomerRef, type CustomerRow, type ImportRow, type InteractionRow, type OrderRow, type RowProblem } from "../../domain/transfer/import-rows.js";
import type {
  AliasHit, ContactChange, ContactWrite, CustomerChange, CustomerWrite, InteractionWrite, OrderWrite, Rep, Repositories, RunCounts, StoredContact, StoredCustomer,
} from "../../store/index.js";
import { refreshAllSegments, refreshSegments } from "../analytics/score-segments.js";
import { customerNamesChanged } from "../customers/find-named-customers.js";
import { findRep } from "../customers/find-rep.js";
import { resolveCustomer } from "../customers/resolve-customer.js";
import type { ServiceDeps } from "../deps.js";
import type { ImportSource } from "./import-source.js";
import { ProblemFile } from "./problem-file.js";
import { readRows, type TableInfo, type TableLimits } from "./read-table.js";

/**
 * Runs an import: the file's rows in batches, each read by the row rules (domain/transfer/import-rows.ts),
 * matched with what is stored (one query per table per batch) and written in one transaction
 * per batch (store/imports/imports.ts); the aggregates of everything touched brought up to date once at
 * the end; the problem rows written to a CSV as they are found. A dry run does all of it but
 * the writes, so its counts are what an import would do.
 *
 * Idempotent: a record is found again by its external id (the file's id column) or else by its
 * natural key (a customer by the name matcher's key; a contact by email or phone within the
 * customer, or by name when neither has one; an order by customer, time, amount and currency;
 * an interaction by customer, time and text), and only fields whose value differs are written,
 * so importing the same file twice changes nothing the second time.
 */

export interface ImportRequest {
  kind: ImportKind;
  mapping: Mapping;
  source: ImportSource;
  info: TableInfo;
  limits: TableLimits;
  rep: Rep;
  /** Dates and times without a zone are read in it. */
  timeZone: string;
  dryRun: boolean;
  /** The import_runs row the counts go to (none for a dry run on the command line). */
  runId?: string;
  /** A problem in the reader's language ("Phone: “12” is not a phone number. Write it like 138 0013 8000."). */
  describe(problem: RowProblem): string;
  /** The problem file's last two columns. */
  labels: { row: string; problem: string };
  /** Called after each batch with the rows done so far. */
  onProgress?(done: number, total: number): void | Promise<void>;
  batchSize?: number;
  /** Past this many customers touched, aggregates are rebuilt for all at once (tests lower it). */
  wholeRefreshFrom?: number;
}

export interface ProblemSummary {
  row: number;
  problems: RowProblem[];
}

export interface ImportOutcome extends RunCounts {
  /** The first problems, for the answer (all of them are in the file). */
  firstProblems: ProblemSummary[];
  /** The problem rows as CSV (deleted by whoever takes it), when there were any. */
  problemFile?: ProblemFile;
  /** Customers the import created or changed, or that got orders or interactions. */
  customers: number;
}

/** How many problems the answer names; the CSV has them all. */
const FIRST_PROBLEMS = 10;
const DEFAULT_BATCH = 2_000;
/** How many customers' aggregates are brought up to date in one transaction at the end. */
const REFRESH_CHUNK = 2_000;
/** Past this many customers touched (or a quarter of all), every customer's aggregates are rebuilt in one set-based pass. */
const WHOLE_REFRESH_FROM = 10_000;

/** "erased": the reference names a customer erased on request, whose records are never imported again. */
type Resolution = { kind: "found"; id: string } | { kind: "ambiguous"; names: string[] } | { kind: "erased" } | { kind: "none" };

/** What the import has written (or, in a dry run, would have) so far: later rows find it here. */
class RunMemory {
  readonly customerByKey = new Map<string, string>();
  readonly customerByExternal = new Map<string, string>();
  /** Contacts written in this run, by `${customerId}|e:${hash}` etc. */
  readonly contacts = new Map<string, string>();
  readonly touched = new Set<string>();
  /** Customers found for `x:<id>` or `n:<name key>` references (imports of contacts, orders, interactions). */
  readonly found = new Map<string, string>();
  readonly orderHours = new Map<number, Date>();
  /**
   * Natural keys of the orders and interactions of the batch being written while the next one is
   * planned (it cannot see them in the database yet): an identical row there is found here.
   */
  recentKeys = new Set<string>();
  nextKeys = new Set<string>();
  /**
   * Customers that had orders (or interactions) before this import, read once: only their rows,
   * and rows whose key this run planned already, can meet a stored row by natural key, so the
   * look-up is skipped for the rest (most rows of a first import).
   */
  before: Set<string> | null = null;
  /** 32-bit hashes of the natural keys this run planned to write: a hit means "look it up", never "it exists". */
  readonly planned = new Set<number>();

  mayExist(customerId: string, key: string): boolean {
    return this.before!.has(customerId) || this.planned.has(hash32(key));
  }
  readonly interactionHours = new Map<number, Date>();

  hour(map: Map<number, Date>, at: Date): void {
    const h = Math.floor(at.getTime() / 3_600_000);
    if (!map.has(h)) map.set(h, at);
  }
}

/** What one batch will write, and the outcome of each of its rows. */
interface BatchPlan {
  newCustomers: CustomerWrite[];
  customerChanges: Map<string, CustomerChange>;
  newContacts: ContactWrite[];
  contactChanges: Map<string, ContactChange>;
  newOrders: OrderWrite[];
  orderChanges: (OrderWrite & { id: string })[];
  newInteractions: InteractionWrite[];
  interactionChanges: (InteractionWrite & { id: string })[];
  counts: RunCounts;
}

const emptyPlan = (): BatchPlan => ({
  newCustomers: [], customerChanges: new Map(), newContacts: [], contactChanges: new Map(), newOrders: [], orderChanges: [], newInteractions: [], interactionChanges: [],
  counts: { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 },
});

/** FNV-1a: small enough that a million keys fit in a Set of small integers. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
const sameTime = (a: Date, b: Date) => a.getTime() === b.getTime();

export async function runImport(deps: ServiceDeps, request: ImportRequest): Promise<ImportOutcome> {
  const checker = new RowChecker({
    region: deps.settings.defaultPhoneRegion ?? "CN", timeZone: request.timeZone, now: deps.now(), baseCurrency: deps.settings.baseCurrency, ratesToBase: deps.settings.ratesToBase,
  });
  const memory = new RunMemory();
  const problems = await ProblemFile.create(request.info.headers, request.labels);
  const firstProblems: ProblemSummary[] = [];
  const total: RunCounts = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const owners = new Map<string, Promise<{ id: string } | RowProblem>>();
  const looser = new Map<string, Promise<Resolution>>();
  const size = request.batchSize ?? DEFAULT_BATCH;

  async function fail(row: number, cells: readonly Cell[], found: RowProblem[], counts: RunCounts): Promise<void> {
    counts.failed++;
    if (firstProblems.length < FIRST_PROBLEMS) firstProblems.push({ row, problems: found });
    await problems.add(row, cells, found.map((p) => request.describe(p)).join(" "));
  }

  /** The owner a row names, looked up once per name. */
  function ownerOf(typed: string, header: string): Promise<{ id: string } | RowProblem> {
    const known = owners.get(typed);
    if (known) return known;
    const found = findRep(deps, request.rep.platform, typed).then((lookup): { id: string } | RowProblem =>
      lookup.kind === "found" ? { id: lookup.rep.id }
        : lookup.kind === "ambiguous" ? { column: header, key: "import.problem.ownerAmbiguous", params: { value: typed, names: lookup.candidates.map((r) => r.displayName).join(", ") } }
          : { column: header, key: "import.problem.ownerUnknown", params: { value: typed } });
    owners.set(typed, found);
    return found;
  }

  const headerOf = (field: string) => request.mapping.find((m) => m.field === field)?.header ?? null;

  async function planBatch(batch: { row: number; cells: Cell[]; value: ImportRow | RowProblem[] }[]): Promise<BatchPlan> {
    const plan = emptyPlan();
    plan.counts.rows = batch.length;
    const good = batch.filter((b): b is typeof b & { value: ImportRow } => !Array.isArray(b.value));
    for (const b of batch) if (Array.isArray(b.value)) await fail(b.row, b.cells, b.value, plan.counts);

    // Customers the rows name, in one query.
    const refs: string[] = [];
    const names: NameKeys[] = [];
    for (const { value } of good) {
      const row = value.row;
      if (value.kind === "customers") {
        const r = row as CustomerRow;
        names.push(r.keys);
        if (r.externalId) refs.push(r.externalId);
      } else {
        const ref = (row as ContactRow | OrderRow | InteractionRow).customer;
        if (ref.id) refs.push(ref.id);
        if (ref.keys) names.push(ref.keys);
      }
    }
    // Rows of orders, contacts and interactions name the same customers again and again: a name
    // or id found once in this run is not looked up again. A customers file needs the stored values.
    const known = request.kind === "customers" ? undefined : memory.found;
    const wanted = known ? names.filter((k) => !known.has(`n:${k.normalizedName}`)) : names;
    const wantedRefs = known ? refs.filter((r) => !known.has(`x:${r}`)) : refs;
    const matched = wanted.length + wantedRefs.length > 0 ? await deps.store.imports.matchCustomers(wantedRefs, wanted) : { customers: [], aliases: [] };
    const found = resolver(matched.customers, matched.aliases, memory);
    const resolve = (ref: CustomerRef): Resolution => {
      if (!known) return found(ref);
      const cached = (ref.id ? known.get(`x:${ref.id}`) : undefined) ?? (ref.keys ? known.get(`n:${ref.keys.normalizedName}`) : undefined);
      if (cached) return { kind: "found", id: cached };
      const result = found(ref);
      if (result.kind === "found") {
        if (ref.id) known.set(`x:${ref.id}`, result.id);
        else if (ref.keys) known.set(`n:${ref.keys.normalizedName}`, result.id);
      }
      return result;
    };

    switch (request.kind) {
      case "customers":
        await planCustomers(good as { row: number; cells: Cell[]; value: Extract<ImportRow, { kind: "customers" }> }[], plan, resolve, matched.customers);
        break;
      case "contacts":
        await planContacts(good as { row: number; cells: Cell[]; value: Extract<ImportRow, { kind: "contacts" }> }[], plan, resolve);
        break;
      case "orders":
        await planOrders(good as { row: number; cells: Cell[]; value: Extract<ImportRow, { kind: "orders" }> }[], plan, resolve);
        break;
      case "interactions":
        await planInteractions(good as { row: number; cells: Cell[]; value: Extract<ImportRow, { kind: "interactions" }> }[], plan, resolve);
        break;
    }
    return plan;
  }

  /**
   * The customer a row of contacts, orders or interactions is about, or the problem that it
   * names none or several. A name with no exact match goes to the matcher /customer uses (a
   * single prefix or substring match is the customer, several are ambiguous), once per name.
   */
  async function customerFor(ref: CustomerRef, resolve: (ref: CustomerRef) => Resolution): Promise<{ id: string } | RowProblem> {
    let found = resolve(ref);
    if (found.kind === "none" && ref.name && ref.keys) {
      let looked = looser.get(ref.keys.normalizedName);
      if (!looked) {
        looked = resolveCustomer(deps, ref.name).then((r): Resolution =>
          r.kind === "found" ? { kind: "found", id: r.customer.id } : r.kind === "ambiguous" ? { kind: "ambiguous", names: r.candidates.map((c) => c.name) } : { kind: "none" });
        looser.set(ref.keys.normalizedName, looked);
      }
      found = await looked;
    }
    if (found.kind === "found") return { id: found.id };
    const column = (ref.name ? headerOf("customer") : headerOf("customerId")) ?? null;
    const value = ref.name ?? ref.id ?? "";
    if (found.kind === "erased") return { column, key: "import.problem.erased", params: { value } };
    return found.kind === "ambiguous"
      ? { column, key: "import.problem.customerAmbiguous", params: { value, names: found.names.slice(0, 5).join(", ") } }
      : { column, key: "import.problem.customerUnknown", params: { value } };
  }

  async function planCustomers(rows: { row: number; cells: Cell[]; value: { row: CustomerRow } }[], plan: BatchPlan, resolve: (ref: CustomerRef) => Resolution, stored: StoredCustomer[]): Promise<void> {
    const byId = new Map(stored.map((c) => [c.id, c]));
    const pending = new Map(plan.newCustomers.map((c) => [c.id, c]));
    const contactRows: { row: number; cells: Cell[]; customerId: string; value: ContactRow; outcome: "created" | "updated" | "unchanged" }[] = [];
    for (const { row, cells, value } of rows) {
      const r = value.row;
      const owner = r.owner ? await ownerOf(r.owner, headerOf("owner") ?? "owner") : undefined;
      if (owner && "key" in owner) {
        await fail(row, cells, [owner], plan.counts);
        continue;
      }
      const found = resolve({ ...(r.externalId ? { id: r.externalId } : {}), name: r.name, keys: r.keys });
      if (found.kind === "ambiguous") {
        await fail(row, cells, [{ column: headerOf("name"), key: "import.problem.customerAmbiguous", params: { value: r.name, names: found.names.slice(0, 5).join(", ") } }], plan.counts);
        continue;
      }
      if (found.kind === "erased") {
        await fail(row, cells, [{ column: headerOf(r.externalId ? "id" : "name"), key: "import.problem.erased", params: { value: r.externalId ?? r.name } }], plan.counts);
        continue;
      }
      let outcome: "created" | "updated" | "unchanged";
      let customerId: string;
      const fields: Omit<CustomerChange, "id"> = {
        ...(r.stage ? { stage: r.stage } : {}), ...(owner ? { ownerId: owner.id } : {}), ...(r.industry ? { industry: r.industry } : {}), ...(r.website ? { website: r.website } : {}),
        ...(r.address ? { address: r.address } : {}), ...(r.about ? { about: r.about } : {}), ...(r.source ? { source: r.source } : {}), ...(r.tags ? { tags: r.tags } : {}),
      };
      if (found.kind === "none") {
        customerId = randomUUID();
        const write: CustomerWrite = {
          id: customerId, externalId: r.externalId, name: r.name, keys: r.keys, stage: r.stage ?? null, ownerId: owner?.id ?? null, industry: r.industry ?? null,
          website: r.website ?? null, address: r.address ?? null, about: r.about ?? null, source: r.source ?? null, tags: r.tags ?? null,
        };
        plan.newCustomers.push(write);
        pending.set(customerId, write);
        memory.customerByKey.set(r.keys.normalizedName, customerId);
        if (r.externalId) memory.customerByExternal.set(r.externalId, customerId);
        outcome = "created";
      } else {
        customerId = found.id;
        const fresh = pending.get(customerId);
        if (fresh) {
          // The same customer again further down the batch: its later values fill what was empty.
          for (const [key, v] of Object.entries(fields)) if ((fresh as unknown as Record<string, unknown>)[key] === null) (fresh as unknown as Record<string, unknown>)[key] = v;
          outcome = "unchanged";
        } else {
          const current = byId.get(customerId);
          const change: CustomerChange = { id: customerId, ...(plan.customerChanges.get(customerId) ?? {}) };
          let changed = false;
          for (const [key, v] of Object.entries(fields) as [keyof typeof fields, unknown][]) {
            const now = current ? (current as unknown as Record<string, unknown>)[key] : undefined;
            if (current && !same(now, v)) {
              (change as Record<string, unknown>)[key] = v;
              changed = true;
            }
          }
          if (r.externalId && current && current.externalId === null) {
            change.externalId = r.externalId;
            changed = true;
          }
          if (changed) plan.customerChanges.set(customerId, change);
          outcome = changed ? "updated" : "unchanged";
        }
      }
      if (outcome !== "unchanged") memory.touched.add(customerId);
      if (r.contact) {
        contactRows.push({ row, cells, customerId, value: { externalId: null, customer: {}, values: r.contact }, outcome });
        continue;
      }
      plan.counts[outcome]++;
    }
    if (contactRows.length === 0) return;
    // A customer this run creates has no stored contacts to meet.
    const fresh = new Set(plan.newCustomers.map((c) => c.id));
    const contacts = await deps.store.imports.matchContacts([...new Set(contactRows.map((c) => c.customerId).filter((id) => !fresh.has(id)))], []);
    for (const c of contactRows) {
      const result = await planContact(c.customerId, c.value, contacts, plan, c.row, c.cells);
      if (result === "failed") continue;
      // A row counts as what happened to its customer, or as an update when only its person is new or changed.
      plan.counts[c.outcome === "created" ? "created" : result === "unchanged" ? c.outcome : "updated"]++;
      if (result !== "unchanged") memory.touched.add(c.customerId);
    }
  }

  /** Plans one contact of a customer: found again (changed or not) or new; "failed" when it was reported. */
  async function planContact(customerId: string, r: ContactRow, stored: StoredContact[], plan: BatchPlan, row: number, cells: readonly Cell[]): Promise<"created" | "updated" | "unchanged" | "failed"> {
    const cipher = deps.store.cipher;
    const emails = cipher.lookups("email", r.values.email);
    const phones = cipher.lookups("phone", r.values.phone);
    const wechats = cipher.lookups("wechat", r.wechatOpenId);
    const mine = stored.filter((s) => s.customerId === customerId);
    const nameKey = r.values.name.toLowerCase();
    const reachable = emails.length > 0 || phones.length > 0;
    const existing =
      (r.externalId ? stored.find((s) => s.externalId === r.externalId) : undefined) ??
      mine.find((s) => s.emailHash !== null && emails.includes(s.emailHash)) ??
      mine.find((s) => s.phoneHash !== null && phones.includes(s.phoneHash)) ??
      mine.find((s) => s.name.toLowerCase() === nameKey && (!reachable || (s.emailHash === null && s.phoneHash === null)));
    // The same person earlier in this import (not stored yet in a dry run, or in this batch).
    const keys = [
      ...(r.externalId ? [`x:${r.externalId}`] : []), ...emails.map((h) => `${customerId}|e:${h}`), ...phones.map((h) => `${customerId}|p:${h}`),
      ...(reachable ? [] : [`${customerId}|n:${nameKey}`]),
    ];
    if (existing?.erased) {
      await fail(row, cells, [{ column: headerOf(r.externalId ? "id" : "name"), key: "import.problem.erased", params: { value: r.externalId ?? r.values.name } }], plan.counts);
      return "failed";
    }
    const earlier = keys.map((k) => memory.contacts.get(k)).find((id) => id !== undefined);
    if (!existing && earlier) return "unchanged";
    if (wechats.length > 0) {
      const holders = await deps.store.imports.contactsWithWechat(wechats);
      const holder = [...holders.values()].find((id) => id !== existing?.id);
      if (holder) {
        await fail(row, cells, [{ column: headerOf("wechatOpenId"), key: "import.problem.openIdTaken", params: {} }], plan.counts);
        return "failed";
      }
    }
    if (!existing) {
      const id = randomUUID();
      plan.newContacts.push({
        id, customerId, externalId: r.externalId, name: r.values.name, title: r.values.title ?? null, email: r.values.email ?? null, phone: r.values.phone ?? null,
        wechatOpenId: r.wechatOpenId ?? null, birthday: r.values.birthday ?? null, anniversary: r.values.anniversary ?? null,
      });
      for (const k of keys) memory.contacts.set(k, id);
      return "created";
    }
    for (const k of keys) memory.contacts.set(k, existing.id);
    const change: ContactChange = { id: existing.id, ...(plan.contactChanges.get(existing.id) ?? {}) };
    let changed = false;
    const set = <K extends keyof ContactChange>(key: K, value: ContactChange[K]) => {
      change[key] = value;
      changed = true;
    };
    if (r.values.name !== existing.name) set("name", r.values.name);
    if (r.values.title && r.values.title !== existing.title) set("title", r.values.title);
    if (r.values.email && !(existing.emailHash !== null && emails.includes(existing.emailHash))) set("email", r.values.email);
    if (r.values.phone && !(existing.phoneHash !== null && phones.includes(existing.phoneHash))) set("phone", r.values.phone);
    if (r.wechatOpenId && !(existing.wechatHash !== null && wechats.includes(existing.wechatHash))) set("wechatOpenId", r.wechatOpenId);
    if (r.values.birthday && r.values.birthday !== existing.birthday) set("birthday", r.values.birthday);
    if (r.values.anniversary && r.values.anniversary !== existing.anniversary) set("anniversary", r.values.anniversary);
    if (r.externalId && existing.externalId === null) set("externalId", r.externalId);
    if (changed) plan.contactChanges.set(existing.id, change);
    return changed ? "updated" : "unchanged";
  }

  async function planContacts(rows: { row: number; cells: Cell[]; value: { row: ContactRow } }[], plan: BatchPlan, resolve: (ref: CustomerRef) => Resolution): Promise<void> {
    const resolved: { row: number; cells: Cell[]; r: ContactRow; customerId: string }[] = [];
    for (const { row, cells, value } of rows) {
      const customer = await customerFor(value.row.customer, resolve);
      if ("key" in customer) await fail(row, cells, [customer], plan.counts);
      else resolved.push({ row, cells, r: value.row, customerId: customer.id });
    }
    const externalIds = resolved.flatMap((c) => (c.r.externalId ? [c.r.externalId] : []));
    const stored = await deps.store.imports.matchContacts([...new Set(resolved.map((c) => c.customerId))], externalIds);
    for (const c of resolved) {
      const result = await planContact(c.customerId, c.r, stored, plan, c.row, c.cells);
      if (result === "failed") continue;
      plan.counts[result]++;
      if (result !== "unchanged") memory.touched.add(c.customerId);
    }
  }

  async function planOrders(rows: { row: number; cells: Cell[]; value: { row: OrderRow } }[], plan: BatchPlan, resolve: (ref: CustomerRef) => Resolution): Promise<void> {
    const resolved: { row: number; cells: Cell[]; r: OrderRow; customerId: string }[] = [];
    for (const { row, cells, value } of rows) {
      const customer = await customerFor(value.row.customer, resolve);
      if ("key" in customer) await fail(row, cells, [customer], plan.counts);
      else resolved.push({ row, cells, r: value.row, customerId: customer.id });
    }
    const keyOf = (customerId: string, at: Date, amount: string, currency: string) => `${customerId}|${at.getTime()}|${normalAmount(amount)}|${currency}`;
    memory.before ??= await deps.store.imports.customersWithRows("orders");
    const stored = await deps.store.imports.matchOrders(
      resolved.flatMap((o) => (o.r.externalId ? [o.r.externalId] : [])),
      resolved
        .filter((o) => !o.r.externalId && memory.mayExist(o.customerId, keyOf(o.customerId, o.r.orderedAt, o.r.amount, o.r.currency)))
        .map((o) => ({ customerId: o.customerId, orderedAt: o.r.orderedAt, amount: o.r.amount, currency: o.r.currency })),
    );
    const byExternal = new Map(stored.filter((s) => s.externalId).map((s) => [s.externalId!, s]));
    const byKey = new Set(stored.map((s) => keyOf(s.customerId, s.orderedAt, s.amount, s.currency)));
    const inBatch = new Set<string>();
    for (const { r, customerId } of resolved) {
      const write: OrderWrite = { ...r, customerId, createdById: request.rep.id };
      const key = r.externalId ? `x:${r.externalId}` : keyOf(customerId, r.orderedAt, r.amount, r.currency);
      if (inBatch.has(key) || memory.recentKeys.has(key)) {
        plan.counts.unchanged++;
        continue;
      }
      inBatch.add(key);
      memory.nextKeys.add(key);
      const found = r.externalId ? byExternal.get(r.externalId) : byKey.has(key) ? true : undefined;
      if (!found) {
        plan.newOrders.push(write);
        plan.counts.created++;
        if (!r.externalId) memory.planned.add(hash32(key));
      } else if (found !== true && (found.customerId !== customerId || normalAmount(found.amount) !== normalAmount(r.amount) || found.currency !== r.currency || (found.product ?? null) !== r.product || !sameTime(found.orderedAt, r.orderedAt))) {
        plan.orderChanges.push({ ...write, id: found.id });
        plan.counts.updated++;
        memory.touched.add(found.customerId);
        memory.hour(memory.orderHours, found.orderedAt);
      } else {
        plan.counts.unchanged++;
        continue;
      }
      memory.touched.add(customerId);
      memory.hour(memory.orderHours, r.orderedAt);
    }
  }

  async function planInteractions(rows: { row: number; cells: Cell[]; value: { row: InteractionRow } }[], plan: BatchPlan, resolve: (ref: CustomerRef) => Resolution): Promise<void> {
    const resolved: { r: InteractionRow; customerId: string; bodyHash: string }[] = [];
    for (const { row, cells, value } of rows) {
      const customer = await customerFor(value.row.customer, resolve);
      if ("key" in customer) await fail(row, cells, [customer], plan.counts);
      else resolved.push({ r: value.row, customerId: customer.id, bodyHash: md5(value.row.body) });
    }
    const keyOf = (customerId: string, at: Date, hash: string) => `${customerId}|${at.getTime()}|${hash}`;
    memory.before ??= await deps.store.imports.customersWithRows("interactions");
    const stored = await deps.store.imports.matchInteractions(
      resolved.flatMap((i) => (i.r.externalId ? [i.r.externalId] : [])),
      resolved
        .filter((i) => !i.r.externalId && memory.mayExist(i.customerId, keyOf(i.customerId, i.r.occurredAt, i.bodyHash)))
        .map((i) => ({ customerId: i.customerId, occurredAt: i.r.occurredAt, bodyHash: i.bodyHash })),
    );
    const byExternal = new Map(stored.filter((s) => s.externalId).map((s) => [s.externalId!, s]));
    const byKey = new Set(stored.map((s) => keyOf(s.customerId, s.occurredAt, s.bodyHash)));
    const inBatch = new Set<string>();
    for (const { r, customerId, bodyHash } of resolved) {
      const write: InteractionWrite = { externalId: r.externalId, customerId, authorId: request.rep.id, contactName: r.contactName, channel: r.channel, direction: r.direction, body: r.body, occurredAt: r.occurredAt };
      const key = r.externalId ? `x:${r.externalId}` : keyOf(customerId, r.occurredAt, bodyHash);
      if (inBatch.has(key) || memory.recentKeys.has(key)) {
        plan.counts.unchanged++;
        continue;
      }
      inBatch.add(key);
      memory.nextKeys.add(key);
      const found = r.externalId ? byExternal.get(r.externalId) : byKey.has(key) ? true : undefined;
      if (!found) {
        plan.newInteractions.push(write);
        plan.counts.created++;
        if (!r.externalId) memory.planned.add(hash32(key));
      } else if (found !== true && (found.customerId !== customerId || found.channel !== r.channel || found.direction !== r.direction || found.bodyHash !== bodyHash || !sameTime(found.occurredAt, r.occurredAt))) {
        plan.interactionChanges.push({ ...write, id: found.id });
        plan.counts.updated++;
        memory.touched.add(found.customerId);
        memory.hour(memory.interactionHours, found.occurredAt);
      } else {
        plan.counts.unchanged++;
        continue;
      }
      memory.touched.add(customerId);
      memory.hour(memory.interactionHours, r.occurredAt);
    }
  }

  async function write(plan: BatchPlan): Promise<void> {
    const at = deps.now();
    await deps.store.transaction(async (tx) => {
      await tx.imports.batchCommit();
      const written = await tx.imports.insertCustomers(plan.newCustomers);
      // A customer someone else added a moment ago under the same name: its row is reported,
      // and its contact is not written (it would belong to no customer).
      const lost = plan.newCustomers.filter((c) => !written.has(c.id));
      if (lost.length > 0) {
        const gone = new Set(lost.map((c) => c.id));
        plan.newContacts = plan.newContacts.filter((c) => !gone.has(c.customerId));
        plan.counts.created -= lost.length;
        plan.counts.failed += lost.length;
      }
      await tx.imports.updateCustomers([...plan.customerChanges.values()]);
      await tx.imports.insertContacts(plan.newContacts);
      await tx.imports.updateContacts([...plan.contactChanges.values()]);
      await tx.imports.insertOrders(plan.newOrders);
      await tx.imports.updateOrders(plan.orderChanges, request.rep.id, at);
      await tx.imports.insertInteractions(plan.newInteractions);
      await tx.imports.updateInteractions(plan.interactionChanges, request.rep.id, at);
      if (request.runId) await tx.imports.addCounts(request.runId, plan.counts);
    }, { timeout: 120_000, maxWait: 10_000 });
  }

  let batch: { row: number; cells: Cell[]; value: ImportRow | RowProblem[] }[] = [];
  /**
   * The batch being written while the next is read and planned: Postgres writes one while
   * Node reads the next (two cores at work instead of one taking turns). Its keys are kept for
   * the next plan; anything else a plan matches was committed before it began, or is in memory.
   */
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const plan = await planBatch(batch);
    batch = [];
    await writing;
    memory.recentKeys = memory.nextKeys;
    memory.nextKeys = new Set();
    writing = (async () => {
      if (!request.dryRun) await write(plan);
      for (const k of ["rows", "created", "updated", "unchanged", "failed"] as const) total[k] += plan.counts[k];
      await request.onProgress?.(total.rows, request.info.rows);
    })();
    // A failed write is seen at the next flush or the end, not as an unhandled rejection now.
    writing.catch(() => undefined);
  };
  try {
    for await (const { row, cells, extra } of readRows(request.source, request.info, request.limits)) {
      const reading = checker.read(request.kind, request.mapping, cells);
      const value: ImportRow | RowProblem[] = reading.ok ? reading.value : reading.problems;
      if (extra > 0) {
        const list = Array.isArray(value) ? value : [];
        list.push({ column: null, key: "import.problem.extraCells", params: { count: extra, columns: request.info.headers.length } });
        batch.push({ row, cells, value: list });
      } else batch.push({ row, cells, value });
      if (batch.length >= size) await flush();
    }
    await flush();
    await writing;
    if (!request.dryRun) await finish(deps, memory, request.wholeRefreshFrom);
    await problems.close();
  } catch (error) {
    await writing.catch(() => undefined);
    await problems.close().catch(() => undefined);
    await problems.remove();
    throw error;
  }
  if (problems.count === 0) await problems.remove();
  // Problems of the row rules are found before those of matching: shown in the file's order.
  firstProblems.sort((a, b) => a.row - b.row);
  return { ...total, firstProblems, ...(problems.count > 0 ? { problemFile: problems } : {}), customers: memory.touched.size };
}

/** Aggregates and segments of every customer touched, the rollup hours, the name dictionary. */
async function finish(deps: ServiceDeps, memory: RunMemory, wholeFrom: number | undefined): Promise<void> {
  const ids = [...memory.touched];
  // Facts read for a list of ids cost far more per customer than one pass over all of them: past
  // a quarter of the customers (or WHOLE_REFRESH_FROM of them) the pass over all is the cheaper.
  const whole = wholeFrom !== undefined ? ids.length > wholeFrom
    : ids.length > WHOLE_REFRESH_FROM || (ids.length > 0 && ids.length * 4 >= (await deps.store.imports.customerCount()));
  if (whole) {
    // Set-based over every customer: one pass over the orders instead of one per chunk.
    await deps.store.transaction(async (tx) => {
      await tx.imports.refreshAllAggregates([...memory.orderHours.values()], [...memory.interactionHours.values()]);
      await refreshAllSegments(tx, deps);
    }, { timeout: 900_000, maxWait: 10_000 });
    customerNamesChanged(deps);
    return;
  }
  for (let i = 0; i < Math.max(ids.length, 1); i += REFRESH_CHUNK) {
    const chunk = ids.slice(i, i + REFRESH_CHUNK);
    const first = i === 0;
    await deps.store.transaction(async (tx: Repositories) => {
      await tx.imports.refreshAggregates(chunk, first ? [...memory.orderHours.values()] : [], first ? [...memory.interactionHours.values()] : []);
      if (chunk.length > 0) await refreshSegments(tx, deps, chunk);
    }, { timeout: 300_000, maxWait: 10_000 });
  }
  customerNamesChanged(deps);
}

/** Amounts compared as numbers: "1200", "1200.00" and "1200.0" are one amount. */
function normalAmount(amount: string): string {
  const [whole = "0", fraction = ""] = amount.split(".");
  const f = fraction.replace(/0+$/, "");
  return f ? `${whole}.${f}` : whole;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return (a ?? null) === (b ?? null);
}

/**
 * Which customer a reference means: our record id or the source system's external id, else
 * the name by the matcher's keys: the one customer whose name key is exactly it (names are
 * unique by key), else the one whose alias matches, or whose pinyin a name in Latin letters is;
 * several are ambiguous (reported, never guessed); customers this import created earlier count too.
 */
function resolver(customers: readonly StoredCustomer[], aliases: readonly AliasHit[], memory: RunMemory): (ref: CustomerRef) => Resolution {
  const byId = new Map(customers.map((c) => [c.id, c]));
  const byExternal = new Map(customers.filter((c) => c.externalId).map((c) => [c.externalId!, c]));
  const byKey = new Map(customers.map((c) => [c.normalizedName, c]));
  return (ref) => {
    const stored = (c: StoredCustomer): Resolution => (c.erased ? { kind: "erased" } : { kind: "found", id: c.id });
    if (ref.id) {
      const fresh = memory.customerByExternal.get(ref.id);
      if (fresh) return { kind: "found", id: fresh };
      const hit = byExternal.get(ref.id) ?? (isUuid(ref.id) ? byId.get(ref.id) : undefined);
      if (hit) return stored(hit);
      if (!ref.keys) return { kind: "none" };
    }
    const keys = ref.keys!;
    const mine = memory.customerByKey.get(keys.normalizedName);
    if (mine) return { kind: "found", id: mine };
    const exact = byKey.get(keys.normalizedName);
    if (exact) return stored(exact);
    // Pinyin stands for a Chinese name only when the row writes it in Latin letters ("alibaba"):
    // two Chinese names that sound alike (北京新华科技, 北京鑫华科技) are two companies.
    const byPinyin = !hasChinese(keys.normalizedName);
    const like = new Map<string, string>();
    if (byPinyin) for (const c of customers) if (c.pinyin === keys.pinyin) like.set(c.id, c.name);
    for (const a of aliases) if (a.normalizedName === keys.normalizedName || (byPinyin && a.pinyin === keys.pinyin)) like.set(a.customerId, a.name);
    if (like.size === 1) return { kind: "found", id: [...like.keys()][0]! };
    if (like.size > 1) return { kind: "ambiguous", names: [...like.values()].sort() };
    return { kind: "none" };
  };
}
