/** What adapters may use of the core: events in, outcomes out, and the reply model. */
export { createCore, type Core, type CoreObserver, type OutcomeLabel } from "./handle.js";
export type { Actor, CustomerMessage, InboundEvent, Platform } from "./inbound-event.js";
export type { Action, Block, Button, Field, Form, FormField, ListItem, Message, Notice, Outcome, OutgoingFile } from "../reply/reply.js";
export type { ChartSpec } from "../reply/chart-spec.js";
export type { Translate } from "../i18n/index.js";
export type { Route, RouteHandler } from "../http/server.js";
export type { Logger } from "../logger.js";
export { createSightings, type Sightings } from "../jobs/first-sightings.js";
export { DeliveryError, type DeliveryFailureKind, type DeliveryRefusal } from "../domain/errors.js";
export { storableFields, storableText } from "../domain/language/storable-text.js";
/** What a platform says about who can read a conversation (Slack Connect); main.ts hands the answers to the services. */
export type { ConversationReach } from "../services/ports.js";
import type { Message } from "../reply/reply.js";
import type { ChartSpec } from "../reply/chart-spec.js";

/** What an adapter offers the outbox: send a message to a user or channel of its platform. */
export interface Sender {
  /**
   * Resolves with the platform's message id; throws DeliveryError when the platform refuses.
   * `key` identifies the outbox row and travels with the message where the platform allows.
   */
  send(destination: string, message: Message, key: string): Promise<{ externalId?: string }>;
  /** Finds a message sent earlier with this key, if the platform can tell. */
  findSent?(destination: string, key: string, thread?: string): Promise<{ externalId?: string } | undefined>;
  /**
   * Delivers a message that is about its files (an export): each file with the message's text
   * beside it, streamed from disk. Unlike send, a file that did not arrive is a failure: throws
   * DeliveryError. Absent: the platform takes no files (send shows their summaries).
   */
  sendFiles?(destination: string, message: Message): Promise<void>;
  /** Replaces a message the bot posted (an import's progress); best effort: a failure is the caller's to ignore. */
  edit?(channel: string, ts: string, message: Message): Promise<void>;
}

/**
 * Draws a chart as PNG, off the event loop (main.ts passes the worker-thread pool of
 * src/charts). Rejects when the chart cannot be drawn; the message's alt text still stands.
 */
export type RenderChart = (spec: ChartSpec) => Promise<Buffer>;
