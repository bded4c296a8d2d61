import pg from "pg";

/**
 * Workaround for prisma/orm#27403 (https://github.com/prisma/prisma/issues/27403):
 * `@prisma/adapter-pg` refuses result columns whose type is a Postgres catalog type such as
 * `name` (oid 19) or `"char"` (oid 18), and the WebAssembly schema engine reads exactly such
 * columns while introspecting, so `migrate` fails with "Column type 'name' could not be
 * deserialized". pg already hands these values over as strings, so reporting them as `text`
 * is faithful. Used by prisma.config.ts only (migrations); remove once the issue is fixed.
 */
export const CATALOG_TYPES_AS_TEXT: ReadonlyMap<number, number> = new Map([
  [18, 25], // "char"   -> text
  [19, 25], // name     -> text
  [1002, 1009], // "char"[] -> text[]
  [1003, 1009], // name[]   -> text[]
]);

type Field = { dataTypeID: number };

export function reportCatalogTypesAsText<R extends { fields?: Field[] }>(result: R): R {
  for (const field of result.fields ?? []) {
    const replacement = CATALOG_TYPES_AS_TEXT.get(field.dataTypeID);
    if (replacement !== undefined) field.dataTypeID = replacement;
  }
  return result;
}

type Callback = (err: unknown, res: { fields?: Field[] } | undefined) => void;

/**
 * The adapter drops the shadow database of `migrate dev` before it closes its pool to it, so
 * Postgres refuses ("is being accessed by other users"). Forcing the drop of that one
 * throw-away database, by its generated name only, lets `migrate dev` finish.
 */
const SHADOW_DROP = /^DROP DATABASE "prisma_migrate_shadow_db_[0-9a-f-]{36}"$/;
const SHADOW_DATABASE = /^prisma_migrate_shadow_db_[0-9a-f-]{36}$/;

class CatalogTextClient extends pg.Client {
  /**
   * The forced drop ends the shadow pool's idle connection; on that throw-away database the
   * resulting connection errors are expected and must not crash the CLI.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === "error" && SHADOW_DATABASE.test(this.database ?? "")) return true;
    return super.emit(event, ...args);
  }

  // pg.Pool calls query with a callback; a pooled client inside a transaction calls it in
  // promise form: patch the result in both. pg's overloads make a typed override unwieldy.
  // @ts-expect-error -- one implementation standing in for every overload
  override query(...args: unknown[]): unknown {
    if (typeof args[0] === "string" && SHADOW_DROP.test(args[0])) args[0] = `${args[0]} WITH (FORCE)`;
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const callback = last as Callback;
      args[args.length - 1] = ((err, res) => callback(err, res ? reportCatalogTypesAsText(res) : res)) satisfies Callback;
    }
    const out = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    if (out instanceof Promise) return (out as Promise<{ fields?: Field[] }>).then(reportCatalogTypesAsText);
    return out;
  }
}

/**
 * Pool settings for the migration adapter. The URL is split into fields because the adapter
 * makes the shadow database of `migrate dev` by overriding `database`, and pg lets a
 * connectionString win over that field, which would point the shadow at the real database.
 */
export function catalogTextPoolConfig(connectionString: string): pg.PoolConfig {
  const url = new URL(connectionString);
  const sslmode = url.searchParams.get("sslmode");
  return {
    host: decodeURIComponent(url.hostname) || "localhost",
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || undefined,
    ...(sslmode && sslmode !== "disable" ? { ssl: sslmode === "no-verify" ? { rejectUnauthorized: false } : true } : {}),
    Client: CatalogTextClient as unknown as typeof pg.Client,
    max: 2,
    connectionTimeoutMillis: 5000,
  };
}
