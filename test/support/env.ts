/** Where tests find Postgres and Redis; CI and a developer machine use the defaults. */
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const TEMPLATE_DATABASE_PREFIX = "crm_test_template_";
export const TEST_DATABASE_PREFIX = "crm_test_";

/**
 * DATA_ENCRYPTION_KEY of every bot the tests start (encryption at rest): a fixed key, so tests
 * exercise encryption, and a test can compute the keyed hashes it looks rows up by
 * (test/support/sealed.ts). Never a key for real data.
 */
export const TEST_DATA_ENCRYPTION_KEY = "dGVzdC1vbmx5LWRhdGEta2V5LW5vdC1mb3ItcmVhbCE=";

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
