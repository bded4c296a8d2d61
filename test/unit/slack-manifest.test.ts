import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { LOG_SHORTCUT_ID } from "../../adapters/slack/slack-adapter.js";
import { COMMANDS } from "../../src/commands/index.js";

interface Manifest {
  features: { app_home: { home_tab_enabled: boolean }; slash_commands: { command: string; url: string; usage_hint?: string }[]; shortcuts: { type: string; callback_id: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
}

const manifest = parse(readFileSync("slack-manifest.yaml", "utf8")) as Manifest;

describe("slack-manifest.yaml matches what the bot serves", () => {
  it("declares exactly the commands the bot implements, all at /slack/events", () => {
    const declared = manifest.features.slash_commands.map((c) => c.command).sort();
    const implemented = [...COMMANDS.filter((c) => c.slash !== false).map((c) => `/${c.name}`), "/crm"].sort();
    expect(declared).toEqual(implemented);
    for (const c of manifest.features.slash_commands) {
      expect(c.url).toBe("https://YOUR-HOST/slack/events");
      expect(c.command.length).toBeLessThanOrEqual(32);
    }
  });

  it("declares the Log to CRM message shortcut under the id the adapter listens for", () => {
    expect(manifest.features.shortcuts).toContainEqual(expect.objectContaining({ type: "message", callback_id: LOG_SHORTCUT_ID }));
  });

  it("points events and interactivity at /slack/events, with the events and scopes the adapter uses", () => {
    expect(manifest.settings.event_subscriptions.request_url).toBe("https://YOUR-HOST/slack/events");
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: "https://YOUR-HOST/slack/events" });
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(["app_home_opened", "app_mention", "message.channels", "message.groups", "message.im"]);
    for (const scope of ["commands", "chat:write", "users:read", "app_mentions:read", "im:history", "channels:history", "groups:history", "channels:read", "groups:read", "im:read", "mpim:read"]) {
      expect(manifest.oauth_config.scopes.bot).toContain(scope);
    }
  });

  it("enables the Home tab the bot publishes on app_home_opened", () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain("app_home_opened");
  });
});
