import { IMPORT_KINDS, importColumns, type ImportKind, type Mapping, type MappingProblem } from "../../domain/transfer/import-mapping.js";
import type { RowProblem } from "../../domain/transfer/import-rows.js";
import { isMessageKey, type Locale, type Translate } from "../../i18n/index.js";
import type { Block, Button, Message } from "../../reply/reply.js";
import type { ImportPreview, ImportRunRow, ImportWords, ProblemSummary } from "../../services/index.js";
import type { CommandContext } from "../types.js";

/** How many problems a message lists (the CSV has them all). */
const SHOWN_PROBLEMS = 5;

/** A problem in the reader's language: "Phone: “12” is not a valid phone number. …". */
export function describeProblem(t: Translate, problem: RowProblem): string {
  const text = isMessageKey(problem.key) ? t(problem.key, problem.params) : problem.key;
  return problem.column ? t("import.problem.at", { column: problem.column, text }) : text;
}

export function importWords(t: Translate): ImportWords {
  return { describe: (p) => describeProblem(t, p), labels: { row: t("import.csv.row"), problem: t("import.csv.problem") } };
}

/** A field as the reader's language names it (the header an export writes). */
export function fieldLabel(kind: ImportKind, field: string, locale: Locale): string {
  return importColumns(kind).find((c) => c.key === field)?.header[locale] ?? field;
}

function kindLabel(t: Translate, kind: ImportKind): string {
  return t(`import.kind.${kind}`);
}

function mappingProblemText(ctx: Pick<CommandContext, "t" | "locale">, kind: ImportKind, problem: MappingProblem): string {
  const label = (f: string) => fieldLabel(kind, f, ctx.locale);
  switch (problem.kind) {
    case "missing":
      return ctx.t("import.mapping.missing", { fields: problem.fields.map(label).join(ctx.t("import.or")) });
    case "twice":
      return ctx.t("import.mapping.twice", { field: label(problem.field), first: problem.headers[0], second: problem.headers[1] });
    case "unknown":
      return ctx.t("import.mapping.unknown", { field: problem.field, header: problem.header });
  }
}

function problemLines(t: Translate, problems: readonly ProblemSummary[]): string {
  return problems.slice(0, SHOWN_PROBLEMS).map((p) => t("import.problemLine", { row: p.row, text: p.problems.map((x) => describeProblem(t, x)).join(" ") })).join("\n");
}

/** "Customer ← 客户名称 · Phone ← 电话 …" and the columns left out. */
function mappingText(ctx: Pick<CommandContext, "t" | "locale">, kind: ImportKind, mapping: Mapping): string {
  const used = mapping.filter((m) => m.field !== null).map((m) => ctx.t("import.mapped", { field: fieldLabel(kind, m.field!, ctx.locale), header: m.header }));
  const ignored = mapping.filter((m) => m.field === null).map((m) => m.header);
  return [used.join(" · "), ignored.length > 0 ? ctx.t("import.ignored", { headers: ignored.join(", ") }) : ""].filter(Boolean).join("\n");
}

/** The preview of a file shared in chat: what it is, how its columns are read, what an import would do, and the buttons. */
export function previewMessage(ctx: Pick<CommandContext, "t" | "locale" | "f">, preview: ImportPreview): Message {
  const { t } = ctx;
  const blocks: Block[] = [{ type: "header", text: t("import.preview.title", { file: preview.fileName }) }];
  blocks.push({ type: "context", text: t("import.preview.file", { rows: preview.info.rows, format: preview.info.format.toUpperCase(), encoding: preview.info.encoding ?? "" }) });
  const otherKinds = (except?: ImportKind): Button[] =>
    IMPORT_KINDS.filter((k) => k !== except).map((k) => ({ label: t("import.button.as", { kind: kindLabel(t, k) }), action: { id: "import.as", value: JSON.stringify({ r: preview.runId, k }) } }));
  const cancel: Button = { label: t("import.button.cancel"), action: { id: "import.cancel", value: preview.runId } };
  if (!preview.kind) {
    blocks.push({ type: "text", text: t("import.preview.whichKind", { headers: preview.info.headers.slice(0, 12).join(", ") }) });
    blocks.push({ type: "buttons", buttons: [...otherKinds(), cancel] });
    return { visibility: "private", summary: t("import.preview.whichKind", { headers: "" }), blocks };
  }
  const kind = preview.kind;
  blocks.push({ type: "text", text: t(preview.guessed ? "import.preview.kindGuessed" : "import.preview.kind", { kind: kindLabel(t, kind) }) });
  blocks.push({ type: "text", title: t("import.preview.columns"), text: mappingText(ctx, kind, preview.mapping) });
  const change: Button = { label: t("import.button.columns"), action: { id: "import.columns", value: preview.runId } };
  if (preview.mappingProblems.length > 0) {
    blocks.push({ type: "text", text: preview.mappingProblems.map((p) => mappingProblemText(ctx, kind, p)).join("\n") });
    blocks.push({ type: "buttons", buttons: [change, ...otherKinds(kind), cancel] });
    return { visibility: "private", summary: t("import.preview.title", { file: preview.fileName }), blocks, isError: true };
  }
  const o = preview.outcome!;
  blocks.push({ type: "fields", fields: [
    { label: t("import.count.created"), value: ctx.f.number(o.created) },
    { label: t("import.count.updated"), value: ctx.f.number(o.updated) },
    { label: t("import.count.unchanged"), value: ctx.f.number(o.unchanged) },
    { label: t("import.count.failed"), value: ctx.f.number(o.failed) },
  ] });
  if (o.failed > 0) blocks.push({ type: "text", title: t("import.preview.problems", { count: o.failed }), text: problemLines(t, o.firstProblems) });
  const willDo = o.created + o.updated > 0;
  blocks.push({ type: "context", text: t(willDo ? "import.preview.confirm" : "import.preview.nothing") });
  const buttons: Button[] = [];
  if (willDo) buttons.push({ label: t("import.button.import"), style: "primary", action: { id: "import.run", value: preview.runId } });
  buttons.push(change, ...otherKinds(kind).slice(0, 1), cancel);
  blocks.push({ type: "buttons", buttons });
  return { visibility: "private", summary: t("import.preview.title", { file: preview.fileName }), blocks };
}

/** A run under way: "Importing customers.csv… 40% (4,000 of 10,000 rows)". */
export function progressMessage(ctx: Pick<CommandContext, "t" | "f">, run: Pick<ImportRunRow, "fileName">, done: number, total: number): Message {
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  const text = ctx.t("import.progress", { file: run.fileName, percent, done: ctx.f.number(done), total: ctx.f.number(total) });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: true };
}

/** The Import button pressed: the run is queued (progress follows in this message). */
export function queuedMessage(ctx: Pick<CommandContext, "t">, run: Pick<ImportRunRow, "fileName">): Message {
  const text = ctx.t("import.queued", { file: run.fileName });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: true };
}

export function cancelledMessage(ctx: Pick<CommandContext, "t">, run: Pick<ImportRunRow, "fileName">): Message {
  const text = ctx.t("import.cancelled", { file: run.fileName });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: true };
}

/** The end of a run, to the rep's DM: the counts, the first problems, and all of them as a CSV. */
export function doneMessage(ctx: Pick<CommandContext, "t" | "f">, run: ImportRunRow): Message {
  const { t } = ctx;
  if (run.status !== "done") {
    const text = t("import.failed", { file: run.fileName, reason: run.error && isMessageKey(run.error) ? t(run.error) : t("error.internal") });
    return { visibility: "private", summary: text, blocks: [{ type: "text", text }], isError: true };
  }
  const title = t("import.done", { file: run.fileName, kind: IMPORT_KINDS.includes(run.kind as ImportKind) ? kindLabel(t, run.kind as ImportKind) : run.kind });
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "fields", fields: [
      { label: t("import.count.created"), value: ctx.f.number(run.created) },
      { label: t("import.count.updated"), value: ctx.f.number(run.updated) },
      { label: t("import.count.unchanged"), value: ctx.f.number(run.unchanged) },
      { label: t("import.count.failed"), value: ctx.f.number(run.failed) },
    ] },
  ];
  const problems = Array.isArray(run.problems) ? (run.problems as ProblemSummary[]) : [];
  if (run.failed > 0 && problems.length > 0) blocks.push({ type: "text", title: t("import.preview.problems", { count: run.failed }), text: problemLines(t, problems) });
  if (run.problemCsv && run.problemCsv.length > 0) {
    const stem = run.fileName.replace(/\.[^.]+$/, "") || "import";
    blocks.push({
      type: "file",
      file: { filename: `${stem}-problems.csv`, title: t("import.problemFile", { file: run.fileName }), mimeType: "text/csv", content: new Uint8Array(run.problemCsv) },
      summary: t("import.problemFile.summary", { count: run.failed }),
    });
  }
  return { visibility: "private", summary: title, blocks };
}

/** /crm import: how to import, and the columns of each kind (or of one) in the reader's language. */
export function howToMessage(ctx: Pick<CommandContext, "t" | "locale">, kind: ImportKind | undefined, allowed: boolean, maxBytes: number): Message {
  const { t } = ctx;
  const kinds = kind ? [kind] : [...IMPORT_KINDS];
  const blocks: Block[] = [{ type: "header", text: t("import.howto.title") }, { type: "text", text: t("import.howto", { max: Math.round(maxBytes / 1_048_576) }) }];
  for (const k of kinds) {
    const columns = importColumns(k).map((c) => c.header[ctx.locale]);
    blocks.push({ type: "text", title: kindLabel(t, k), text: t("import.howto.columns", { columns: columns.join(", "), required: requiredText(ctx, k) }) });
  }
  if (!allowed) blocks.push({ type: "context", text: t("import.howto.notAllowed") });
  blocks.push({ type: "context", text: t("import.howto.cli") });
  return { visibility: "private", summary: t("import.howto.title"), blocks };
}

function requiredText(ctx: Pick<CommandContext, "t" | "locale">, kind: ImportKind): string {
  const label = (f: string) => fieldLabel(kind, f, ctx.locale);
  const sets: Record<ImportKind, string[][]> = {
    customers: [["name"]], contacts: [["customer", "customerId"], ["name"]], orders: [["customer", "customerId"], ["amount"], ["orderedAt"]], interactions: [["customer", "customerId"], ["body"], ["occurredAt"]],
  };
  return sets[kind].map((s) => s.map(label).join(ctx.t("import.or"))).join(", ");
}
