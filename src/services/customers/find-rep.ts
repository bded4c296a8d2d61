import { pinyinKey } from "../../domain/language/customer-name.js";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

export type RepLookup =
  | { kind: "found"; rep: Rep }
  /** Several reps fit the words equally well. */
  | { kind: "ambiguous"; candidates: Rep[] }
  /** Nobody fits; `known` are the reps there are, to say whom the bot knows. */
  | { kind: "none"; known: Rep[] };

/** A Slack user as Slack writes a mention in a message or an escaped command: <@U123> or <@U123|li.na>. */
const SLACK_MENTION = /^<@([UW][A-Z0-9]{2,20})(?:\|[^>]{0,80})?>$/;

/** Letters and digits only, lower case: "@li.na", "Li Na" and "LI-NA" all give "lina". */
const fold = (text: string): string => text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

function keysOf(rep: Rep): { whole: string; pinyin: string; words: string[] } {
  const whole = fold(rep.displayName);
  return { whole, pinyin: pinyinKey(whole), words: rep.displayName.split(/\s+/).map(fold).filter(Boolean) };
}

/**
 * The rep a person means by what they typed: a Slack mention, "@li.na" (Slack's handle, which
 * reads like the display name "Li Na" once punctuation and case are gone), the display name, a
 * Chinese name by its pinyin ("lina" for 李娜), or one whole word of a name ("alex" for Alex
 * Chen) when only one rep has it. Only reps the bot knows (who have used it) on the same
 * platform as the asker can be named.
 */
export async function findRep(deps: ServiceDeps, platform: string, typed: string): Promise<RepLookup> {
  const text = typed.trim();
  const mention = SLACK_MENTION.exec(text);
  if (mention) {
    const rep = await deps.store.users.findByIdentity("slack", mention[1]!);
    return rep ? { kind: "found", rep } : { kind: "none", known: await deps.store.users.onPlatform(platform) };
  }
  const reps = await deps.store.users.onPlatform(platform);
  const bare = text.replace(/^[@＠]/, "").trim();
  const byId = reps.find((r) => r.externalId === bare);
  if (byId) return { kind: "found", rep: byId };
  const key = fold(bare);
  if (!key) return { kind: "none", known: reps };
  const keyed = reps.map((rep) => ({ rep, keys: keysOf(rep) }));
  const pick = (hits: typeof keyed): RepLookup | undefined => {
    if (hits.length === 1) return { kind: "found", rep: hits[0]!.rep };
    if (hits.length > 1) return { kind: "ambiguous", candidates: hits.map((h) => h.rep) };
    return undefined;
  };
  return (
    pick(keyed.filter((k) => k.keys.whole === key || k.keys.pinyin === key)) ??
    pick(keyed.filter((k) => k.keys.words.includes(key))) ??
    { kind: "none", known: reps }
  );
}
