import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSlackSender } from "../../adapters/slack/slack-sender.js";
import type { Message } from "../../src/core/index.js";
import { DeliveryError } from "../../src/domain/errors.js";
import { createLogger } from "../../src/logger.js";

/**
 * A post Slack never answered may have arrived: the sender says so (uncertain), and the outbox
 * asks Slack before the next attempt. An answered refusal is not uncertain. A loopback server
 * plays Slack: it reads the request, then stalls, cuts the connection, or refuses.
 */
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function slackThat(answer: "stall" | "cut" | "refuse"): Promise<{ url: string; posts: string[] }> {
  const posts: string[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      posts.push(req.url ?? "");
      if (answer === "cut") req.socket.destroy();
      if (answer === "refuse") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "internal_error" }));
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, posts };
}

const message: Message = { visibility: "shared", summary: "call back Acme", blocks: [{ type: "text", text: "call back Acme" }] };

async function failureOf(answer: "stall" | "cut" | "refuse"): Promise<{ error: DeliveryError; posts: string[] }> {
  const slack = await slackThat(answer);
  const sender = createSlackSender({ botToken: "xoxb-fake-unanswered", apiUrl: slack.url, log: createLogger("silent"), timeoutMs: 300 });
  const error = await sender.send("C0UNANSWERED", message, "outbox-row-1").then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return { error: error as DeliveryError, posts: slack.posts };
}

describe("a Slack post without an answer", () => {
  it("is a temporary failure that may have arrived when Slack took the request and never answered", async () => {
    const { error, posts } = await failureOf("stall");
    expect(posts).toEqual(["/api/chat.postMessage"]);
    expect(error).toMatchObject({ kind: "temporary", uncertain: true });
  });

  it("is one that may have arrived when the connection was cut after the request", async () => {
    const { error } = await failureOf("cut");
    expect(error).toMatchObject({ kind: "temporary", uncertain: true });
  });

  it("is certain when Slack answered with a refusal", async () => {
    const { error } = await failureOf("refuse");
    expect(error).toMatchObject({ kind: "temporary", reason: "internal_error", uncertain: false });
  });
});
