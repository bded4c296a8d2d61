import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// `docker compose config` checks the compose file where a Docker client with compose exists
// (.ci/run); these hold the parts the README and the issue promise, everywhere.
interface Service {
  profiles?: string[];
  build?: { target?: string };
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
}
const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as { services: Record<string, Service> };
const dockerfile = readFileSync("Dockerfile", "utf8");
const services = compose.services;

describe("docker-compose.yml", () => {
  it("keeps `docker compose up` to Postgres and Redis, and puts the bot behind profiles", () => {
    const always = Object.entries(services).filter(([, s]) => !s.profiles).map(([name]) => name);
    expect(always.sort()).toEqual(["postgres", "redis"]);
    expect(services.bot!.profiles).toEqual(["bot"]);
    expect(services.web!.profiles).toEqual(["split"]);
    expect(services.worker!.profiles).toEqual(["split"]);
    expect(services.test!.profiles).toEqual(["test"]);
  });

  it("migrates once before any bot process, which talks to the compose services", () => {
    expect(services.migrate!.command).toEqual(["npx", "prisma", "migrate", "deploy"]);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const [name, role] of [["bot", "all"], ["web", "web"], ["worker", "worker"]] as const) {
      const s = services[name]!;
      expect(s.build?.target).toBe("runtime");
      expect(s.command).toEqual([`--role=${role}`]);
      expect(s.depends_on?.migrate).toEqual({ condition: "service_completed_successfully" });
      expect(s.environment?.DATABASE_URL).toBe("postgresql://crm:crm@postgres:5432/crm");
      expect(s.environment?.REDIS_URL).toBe("redis://redis:6379");
    }
    expect(services.worker!.ports).toBeUndefined();
  });

  it("runs the suite in the test profile against the compose Postgres and Redis", () => {
    const test = services.test!;
    expect(test.build?.target).toBe("test");
    expect(test.command).toEqual(["npm", "test"]);
    expect(test.environment).toEqual({ TEST_ADMIN_DATABASE_URL: "postgresql://crm:crm@postgres:5432/postgres", TEST_REDIS_URL: "redis://redis:6379" });
  });
});

describe("Dockerfile", () => {
  const stage = (name: string) => {
    const start = dockerfile.search(new RegExp(`^FROM .* AS ${name}$`, "m"));
    const next = dockerfile.slice(start + 1).search(/^FROM /m);
    return next < 0 ? dockerfile.slice(start) : dockerfile.slice(start, start + 1 + next);
  };

  it("has every stage compose names, on Node 20 slim", () => {
    for (const target of ["build", "tools", "test", "prod-deps", "runtime"]) expect(stage(target)).toMatch(/^FROM /);
    expect(dockerfile).toContain("ARG NODE_IMAGE=node:20-slim");
  });

  it("runs production dependencies only, as a non-root user, with node as PID 1 and a health check", () => {
    expect(stage("prod-deps")).toContain("npm ci --omit=dev");
    const runtime = stage("runtime");
    expect(runtime).toContain("COPY --from=prod-deps /app/node_modules ./node_modules");
    // The Prisma client generated from the schema (the postinstall needs the dev-only CLI).
    expect(runtime).toContain("COPY --from=build /app/node_modules/.prisma ./node_modules/.prisma");
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "--import", "tsx", "src\/main\.ts"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(runtime).not.toMatch(/^(CMD|ENTRYPOINT) (npm|sh|\/bin\/sh) /m);
  });

  it("has a .dockerignore that keeps local data and secrets out of the image", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    for (const entry of [".env", ".data", "node_modules", ".git"]) expect(ignored).toContain(entry);
  });
});
