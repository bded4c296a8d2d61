/**
 * The terminal of `npm run demo` (adapters/local) is a platform of its own, "local", that exists
 * only while a demo runs. Outbox messages to it (a demo rep's reminder) wait for the demo to show
 * them to their rep the next time it runs; a bot's workers have no terminal to write to, so they
 * leave such messages waiting instead of counting them as failed deliveries.
 */
export const TERMINAL_PLATFORM = "local";

export function isTerminalPlatform(platform: string): boolean {
  return platform === TERMINAL_PLATFORM;
}
