// The entry a chart render thread starts from. Node 20 does not apply the parent's loader
// hooks (tsx's `--import tsx`) to a worker's entry module, under vitest nor under
// `tsx src/main.ts`, so a .ts entry fails with ERR_UNKNOWN_FILE_EXTENSION. This plain module
// needs no loader: it asks tsx to import the real entry, and tsx compiles it and its imports.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

await tsImport(workerData.entry, import.meta.url);
