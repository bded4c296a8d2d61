import { z } from "zod";
import { AppError } from "../domain/errors.js";
import { IMPORT_KINDS, importFields, parseImportKind, type ImportKind, type Mapping } from "../domain/transfer/import-mapping.js";
import type { Form, Outcome } from "../reply/reply.js";
import { mayImport } from "../services/index.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { cancelledMessage, fieldLabel, howToMessage, importWords, previewMessage, queuedMessage } from "./views/import.js";
import { translator, resolveLocale } from "../i18n/index.js";

/**
 * Imports from chat: "/crm import" (导入) says how and which columns; a CSV or XLSX file shared
 * in the DM with the bot is previewed (services/imports: checked, mapped, a dry run) with Import
 * and Cancel buttons, buttons to read it as another kind of data, and a form to map its columns
 * otherwise. The file and the mapping stay server-side by the run's id; buttons carry only it.
 */

export const IMPORT_ALIASES: Readonly<Record<string, string>> = { 导入: "import" };

export const importCommand: CommandDefinition = {
  name: "import",
  slash: false,
  help: [{ usage: ["/crm import [customers|contacts|orders|interactions]"], description: "help.import", examples: ["/crm import", "/crm import orders", "/crm 导入 客户"] }],
  async run(ctx, text) {
    const word = text.trim();
    const kind = word ? parseImportKind(word) : undefined;
    if (word && !kind) throw new AppError("INVALID_INPUT", "import.badKind", { word: word.slice(0, 40) });
    return { kind: "message", message: howToMessage(ctx, kind, mayImport(ctx.rep), ctx.services.settings.importMaxBytes ?? 20 << 20) };
  },
};

/** A file someone shared with the bot: its name and bytes, or why the platform's side could not fetch it. */
export interface SharedFile {
  name: string;
  bytes?: Uint8Array;
  /** "too-big": larger than IMPORT_MAX_BYTES (not downloaded); "unreadable": the download failed. */
  refused?: "too-big" | "unreadable";
  size?: number;
}

const TABLE_NAME = /\.(csv|xlsx|txt|tsv)$/i;

/** A file shared in the DM: previewed when it is a CSV or XLSX file, else the rep is told what the bot takes. */
export async function importUpload(ctx: CommandContext, file: SharedFile): Promise<Outcome> {
  const max = ctx.services.settings.importMaxBytes ?? 20 << 20;
  if (!TABLE_NAME.test(file.name)) throw new AppError("INVALID_INPUT", "import.file.notTable", { name: file.name.slice(0, 80) });
  if (!mayImport(ctx.rep)) throw new AppError("FORBIDDEN", "import.forbidden", { role: ctx.rep.role.toLowerCase() });
  if (file.refused === "too-big") throw new AppError("INVALID_INPUT", "import.file.tooBig", { size: ((file.size ?? 0) / 1_048_576).toFixed(1), max: (max / 1_048_576).toFixed(1) });
  if (file.refused === "unreadable" || !file.bytes) throw new AppError("UNAVAILABLE", "import.file.download");
  const preview = await ctx.services.previewImport(ctx.rep, { name: file.name, bytes: file.bytes, platform: ctx.platform, channel: ctx.channel ?? null }, { timeZone: ctx.timezone, locale: ctx.locale, words: importWords(ctx.t) });
  return { kind: "message", message: previewMessage(ctx, preview) };
}

const runId = z.uuid();
const asKind = z.object({ r: z.uuid(), k: z.enum(IMPORT_KINDS) });

const wordsFor = (locale: string) => importWords(translator(resolveLocale(locale, "en")));

export const importActions: Record<string, ActionHandler> = {
  "import.run": async (ctx, value) => {
    const { queued, run } = await ctx.services.startImport(ctx.rep, runId.parse(value), ctx.message, wordsFor);
    // Without a worker (the terminal demo) the import ran already; its report comes as a message.
    return { kind: "message", message: queued ? queuedMessage(ctx, run) : { ...queuedMessage(ctx, run), blocks: [{ type: "text", text: ctx.t("import.ranNow", { file: run.fileName }) }] } };
  },
  "import.cancel": async (ctx, value) => ({ kind: "message", message: cancelledMessage(ctx, await ctx.services.cancelImport(ctx.rep, runId.parse(value))) }),
  "import.as": async (ctx, value) => {
    const { r, k } = asKind.parse(JSON.parse(value));
    return { kind: "message", message: { ...previewMessage(ctx, await ctx.services.changeImport(ctx.rep, r, { kind: k }, importWords(ctx.t))), replaceOriginal: true } };
  },
  "import.columns": async (ctx, value) => {
    const run = await ctx.services.getImportRun(runId.parse(value));
    if (!run || run.createdById !== ctx.rep.id || run.status !== "previewed") throw new AppError("NOT_FOUND", "import.gone");
    return { kind: "form", form: mappingForm(ctx, run.id, run.kind as ImportKind, run.mapping as Mapping) };
  },
};

/** Slack's modals hold 100 blocks; a file with more columns is mapped by its headers alone. */
const FORM_COLUMNS = 50;
const SKIP = "-";

function mappingForm(ctx: CommandContext, id: string, kind: ImportKind, mapping: Mapping): Form {
  const options = [{ value: SKIP, label: ctx.t("import.form.skip") }, ...importFields(kind).map((f) => ({ value: f, label: fieldLabel(kind, f, ctx.locale) }))];
  return {
    id: "import.mapping",
    title: ctx.t("import.form.title"),
    submitLabel: ctx.t("import.form.submit"),
    state: id,
    fields: mapping.slice(0, FORM_COLUMNS).map((m, i) => ({ id: `c${i}`, label: m.header.slice(0, 60) || `#${i + 1}`, kind: "select" as const, initial: m.field ?? SKIP, options })),
  };
}

export const importForms: Record<string, FormHandler> = {
  "import.mapping": async (ctx, values, state) => {
    const run = await ctx.services.getImportRun(runId.parse(state));
    if (!run || run.createdById !== ctx.rep.id || run.status !== "previewed") throw new AppError("NOT_FOUND", "import.gone");
    const kind = run.kind as ImportKind;
    const fields = new Set(importFields(kind));
    const mapping = (run.mapping as Mapping).map((m, i) => {
      const chosen = values[`c${i}`];
      if (chosen === undefined) return m;
      return { header: m.header, field: chosen !== SKIP && fields.has(chosen) ? chosen : null };
    });
    const preview = await ctx.services.changeImport(ctx.rep, run.id, { kind, mapping }, importWords(ctx.t));
    return { kind: "form-done", message: previewMessage(ctx, preview) };
  },
};
