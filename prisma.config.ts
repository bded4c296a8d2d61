import { existsSync } from "node:fs";
import { defineConfig } from "prisma/config";
import { catalogTextPoolConfig } from "./prisma/catalog-text-pool.js";
import { StatementSplittingPg } from "./prisma/migration-script.js";

// `engine: "js"` runs the WebAssembly schema engine for every Prisma command, `generate`
// included: without it the CLI tries to download the native engine, which these machines
// cannot. The pool reports catalog types as text (see catalog-text-pool.ts), and the adapter cuts
// scripts into statements where Postgres would (see migration-script.ts).
// Prisma skips .env when a config file exists; read it here so migrate and seed see the same
// DATABASE_URL as the bot (real environment variables win).
if (existsSync(".env")) process.loadEnvFile(".env");
// `generate` needs no database, but with DATABASE_URL unset the CLI falls back to fetching the
// native query engine; a placeholder keeps `npm ci` (postinstall) offline.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/crm";
const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new StatementSplittingPg(catalogTextPoolConfig(databaseUrl)),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
});
