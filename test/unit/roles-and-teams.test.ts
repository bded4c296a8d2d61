import { describe, expect, it } from "vitest";
import { readRoleRequest } from "../../src/commands/role.js";
import { readTeamRequest } from "../../src/commands/team.js";
import { inScope, ownerScope, type Person } from "../../src/domain/access/access-scope.js";
import { AppError } from "../../src/domain/errors.js";
import { checkTeamName, isPersonToken, parseMention, peopleWords, roleFromWord, teamNameKey } from "../../src/domain/language/people-words.js";
import { mayChange } from "../../src/domain/access/write-rights.js";
import { translator, type MessageKey } from "../../src/i18n/index.js";
import { maySeePrivate, privateScope } from "../../src/services/audience.js";

const admin: Person = { id: "admin", role: "ADMIN", teamRepIds: [] };
const manager: Person = { id: "manager", role: "MANAGER", teamRepIds: ["repA"] };
const repA: Person = { id: "repA", role: "REP", teamRepIds: [] };
const repB: Person = { id: "repB", role: "REP", teamRepIds: [] };
/** A rep who still leads a team (demoted after being named lead): the lead counts for nothing. */
const demoted: Person = { id: "demoted", role: "REP", teamRepIds: ["repA"] };

describe("the one visibility rule (domain/access/access-scope.ts)", () => {
  // Owner of the customer -> who is in scope.
  const table: [string, string | null, Record<string, boolean>][] = [
    ["A's customer", "repA", { admin: true, manager: true, repA: true, repB: false, demoted: false }],
    ["B's customer", "repB", { admin: true, manager: false, repA: false, repB: true, demoted: false }],
    ["the manager's own", "manager", { admin: true, manager: true, repA: false, repB: false, demoted: false }],
    ["nobody's", null, { admin: true, manager: true, repA: true, repB: true, demoted: true }],
  ];
  const people = { admin, manager, repA, repB, demoted };
  for (const [what, owner, expected] of table) {
    it(`decides reads and writes alike for ${what}`, () => {
      for (const [name, person] of Object.entries(people)) {
        expect([name, inScope(person, owner)]).toEqual([name, expected[name]]);
        expect([name, maySeePrivate(person, owner)]).toEqual([name, expected[name]]);
        expect([name, mayChange(person, { ownerId: owner })]).toEqual([name, expected[name]]);
        // A channel sees no private details, whoever shares into it.
        expect(maySeePrivate(person, owner, "channel")).toBe(false);
      }
    });
  }

  it("lets anyone change an entry they wrote, even on a customer outside their scope", () => {
    expect(mayChange(repA, { ownerId: "repB", authorId: "repA" })).toBe(true);
    expect(mayChange(repA, { ownerId: "repB", authorId: "repB" })).toBe(false);
    expect(mayChange(manager, { ownerId: "repB", authorId: null })).toBe(false);
  });

  it("gives readers that filter in SQL the same rule as a set of owners", () => {
    expect(ownerScope(admin)).toEqual({ kind: "all" });
    expect(ownerScope(manager)).toEqual({ kind: "owners", ownerIds: ["manager", "repA"], unowned: true });
    expect(ownerScope(repA)).toEqual({ kind: "owners", ownerIds: ["repA"], unowned: true });
    expect(ownerScope(demoted)).toEqual({ kind: "owners", ownerIds: ["demoted"], unowned: true });
    expect(privateScope(admin, "channel")).toEqual({ kind: "none" });
    // The set agrees with inScope for every owner.
    for (const person of [admin, manager, repA, repB, demoted]) {
      const scope = ownerScope(person);
      for (const owner of ["repA", "repB", "manager", "demoted", "admin"]) {
        expect(scope.kind === "all" || scope.ownerIds.includes(owner)).toBe(inScope(person, owner));
      }
    }
  });
});

function invalid(f: () => unknown): AppError {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("mentions, role words and team names", () => {
  it("reads Slack mentions with and without a handle, and nothing else as one", () => {
    expect(parseMention("<@U0123ABCD|li.na>")).toEqual({ slackUserId: "U0123ABCD", handle: "li.na" });
    expect(parseMention("<@W0123ABCD>")).toEqual({ slackUserId: "W0123ABCD" });
    expect(parseMention("<#C0123|sales>")).toBeUndefined();
    expect(parseMention("@li.na")).toBeUndefined();
    expect(parseMention("<@u0123>")).toBeUndefined();
    expect(isPersonToken("@li.na")).toBe(true);
    expect(isPersonToken("＠李娜")).toBe(true);
    expect(isPersonToken("<@U1>")).toBe(true);
    expect(isPersonToken("@")).toBe(false);
    expect(isPersonToken("East")).toBe(false);
    expect(peopleWords("East Coast <@U1|li na> <@U2>")).toEqual(["East", "Coast", "<@U1|li na>", "<@U2>"]);
  });

  it("knows the role words in both languages", () => {
    expect(["admin", "Manager", "REP", "管理员", "经理", "销售", "ａｄｍｉｎ"].map(roleFromWord)).toEqual(["ADMIN", "MANAGER", "REP", "ADMIN", "MANAGER", "REP", "ADMIN"]);
    expect(roleFromWord("boss")).toBeUndefined();
  });

  it("keeps team names tidy, unique by a folded key, and free of command words", () => {
    expect(checkTeamName("  East   Coast ")).toEqual({ ok: true, name: "East Coast", key: "east coast" });
    expect(teamNameKey("ＥＡＳＴ coast")).toBe("east coast");
    expect(checkTeamName("华东组")).toMatchObject({ ok: true, key: "华东组" });
    expect(checkTeamName("")).toEqual({ ok: false, problem: "empty" });
    expect(checkTeamName("x".repeat(41))).toEqual({ ok: false, problem: "tooLong" });
    expect(checkTeamName("Add")).toEqual({ ok: false, problem: "reserved" });
    expect(checkTeamName("Sales lead")).toEqual({ ok: false, problem: "reserved" });
    expect(checkTeamName("Delete squad")).toEqual({ ok: false, problem: "reserved" });
    expect(checkTeamName("Leads of East")).toMatchObject({ ok: true });
    expect(checkTeamName("East @maria")).toEqual({ ok: false, problem: "person" });
  });
});

describe("reading /crm role and /crm team", () => {
  it("takes the role word first or last and the person as the rest", () => {
    expect(readRoleRequest("<@U1|li.na> manager")).toEqual({ person: "<@U1|li.na>", role: "MANAGER" });
    expect(readRoleRequest("admin @wang")).toEqual({ person: "@wang", role: "ADMIN" });
    expect(readRoleRequest("Li Na 销售")).toEqual({ person: "Li Na", role: "REP" });
    expect(invalid(() => readRoleRequest("@li.na boss"))).toMatchObject({ code: "INVALID_INPUT", userKey: "role.unknownRole", params: { word: "boss" } });
    expect(invalid(() => readRoleRequest("@li.na"))).toMatchObject({ code: "INVALID_INPUT", userKey: "role.missingRole", params: { person: "@li.na" } });
    expect(invalid(() => readRoleRequest("manager"))).toMatchObject({ code: "INVALID_INPUT", userKey: "role.missingPerson" });
    expect(invalid(() => readRoleRequest(`@${"x".repeat(130)} rep`))).toMatchObject({ code: "INVALID_INPUT", userKey: "role.personTooLong" });
  });

  it("reads every form of /crm team, in English and Chinese", () => {
    expect(readTeamRequest("")).toEqual({ kind: "list" });
    expect(readTeamRequest("East Coast")).toEqual({ kind: "show", team: "East Coast" });
    expect(readTeamRequest("add East Coast <@U1|maria>")).toEqual({ kind: "create", team: "East Coast", lead: "<@U1|maria>" });
    expect(readTeamRequest("添加 华东")).toEqual({ kind: "create", team: "华东" });
    expect(readTeamRequest("delete East")).toEqual({ kind: "delete", team: "East" });
    expect(readTeamRequest("East lead @maria")).toEqual({ kind: "lead", team: "East", person: "@maria" });
    expect(readTeamRequest("华东 负责人 @李娜")).toEqual({ kind: "lead", team: "华东", person: "@李娜" });
    expect(readTeamRequest("East add <@U1> <@U2|tom>")).toEqual({ kind: "add", team: "East", people: ["<@U1>", "<@U2|tom>"] });
    expect(readTeamRequest("华东 移除 @王伟")).toEqual({ kind: "remove", team: "华东", people: ["@王伟"] });
  });

  it("answers malformed team commands with what would work", () => {
    const cases: [string, string][] = [
      ["East add", "team.missingPeople"],
      ["add", "team.name.empty"],
      ["add @maria", "team.name.empty"],
      ["add East @a @b", "team.oneLead"],
      ["East lead @a @b", "team.oneLead"],
      ["East hire @a", "team.missingVerb"],
      ["East add @a Bob", "team.peopleOnly"],
      ["delete East @a", "team.deleteNoPeople"],
      ["add " + "x".repeat(41), "team.name.tooLong"],
      [`East add ${Array.from({ length: 26 }, (_, i) => `@p${i}`).join(" ")}`, "team.tooManyPeople"],
    ];
    for (const [text, key] of cases) expect([text, invalid(() => readTeamRequest(text)).userKey]).toEqual([text, key]);
  });

  it("has every message of roles and teams in both languages, with nothing left unfilled", () => {
    const params = { name: "Li Na", person: "@li.na", word: "boss", roles: "admin", typed: "li", names: "A, B", known: "A", team: "East", from: "West", other: "West", teams: "East", previous: "Tom", by: "Wang", to: "Manager", role: "Rep", count: 2, max: 40, length: 130 };
    for (const locale of ["en", "zh-CN"] as const) {
      const t = translator(locale);
      for (const key of ["role.unknownRole", "role.lastAdmin", "role.lastAdminSelf", "role.listed", "role.dm", "team.deleted", "team.line.members", "team.member.moved", "people.notFound", "whoami.scope.team"] as MessageKey[]) {
        const text = t(key, params);
        expect(text).not.toMatch(/\{[a-z]+\}/i);
        expect(text.length).toBeGreaterThan(5);
      }
    }
  });
});
