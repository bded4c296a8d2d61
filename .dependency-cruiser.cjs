/**
 * The layer rules of DESIGN.md, checked on every lint. Data flows one way:
 * adapter -> core -> commands -> services -> store / jobs; domain depends on nothing of ours.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "domain-is-pure",
      comment: "src/domain holds pure logic and types: it imports nothing of ours.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: "^(src/(?!domain/)|adapters/)" },
    },
    {
      name: "store-imports-domain-only",
      severity: "error",
      from: { path: "^src/store/" },
      to: { path: "^(src/(?!store/|domain/)|adapters/)" },
    },
    {
      name: "services-below-commands",
      comment: "services use domain, store and jobs; never commands, core, reply, i18n, http or adapters.",
      severity: "error",
      from: { path: "^src/services/" },
      to: { path: "^(src/(commands|core|reply|i18n|http|main|config)|adapters/)" },
    },
    {
      name: "commands-use-services",
      comment: "commands reach the store only through services.",
      severity: "error",
      from: { path: "^src/commands/" },
      to: { path: "^(src/(store|jobs|core|http|main|config)|adapters/)" },
    },
    {
      name: "reply-and-i18n-are-leaves",
      severity: "error",
      from: { path: "^src/(reply|i18n)/" },
      to: { path: "^(src/(?!reply/|i18n/)|adapters/)" },
    },
    {
      name: "core-never-imports-adapters",
      comment: "Only main.ts wires adapters in.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/main\\.ts$" },
      to: { path: "^adapters/" },
    },
    {
      name: "adapters-use-the-core-surface",
      comment: "Adapters import from src/ only what src/core/index.ts exports for them.",
      severity: "error",
      from: { path: "^adapters/" },
      to: { path: "^src/", pathNot: "^src/core/index\\.ts$" },
    },
    {
      name: "adapters-are-independent",
      severity: "error",
      from: { path: "^adapters/([^/]+)/" },
      to: { path: "^adapters/", pathNot: "^adapters/$1/" },
    },
    {
      name: "prisma-only-in-store",
      severity: "error",
      from: { path: "^(src|adapters)/", pathNot: "^src/store/" },
      to: { path: "node_modules/(@prisma/client|\\.prisma)" },
    },
    {
      name: "bullmq-only-in-jobs",
      severity: "error",
      from: { path: "^(src|adapters)/", pathNot: "^src/jobs/" },
      to: { path: "node_modules/bullmq" },
    },
    {
      name: "bolt-only-in-slack-adapter",
      severity: "error",
      from: { path: "^(src|adapters)/", pathNot: "^adapters/slack/" },
      to: { path: "node_modules/@slack/" },
    },
    {
      name: "wechaty-only-in-wechat-adapter",
      severity: "error",
      from: { path: "^(src|adapters)/", pathNot: "^adapters/wechat/" },
      to: { path: "node_modules/wechaty" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
