/** What adapters may use of the core: events in, outcomes out, and the reply model. */
export { createCore, type Core, type CoreObserver, type OutcomeLabel } from "./handle.js";
export type { Actor, InboundEvent, Platform } from "./inbound-event.js";
export type { Action, Block, Button, Field, Form, FormField, ListItem, Message, Outcome } from "../reply/reply.js";
export type { Translate } from "../i18n/index.js";
export type { Route, RouteHandler } from "../http/server.js";
export type { Logger } from "../logger.js";
