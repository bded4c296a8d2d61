import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { createServer, type Server, type Socket } from "node:net";

/**
 * Postgres compiled to WebAssembly (PGlite), served on a loopback port so that everything else
 * (the pg pools, the Prisma adapter, `prisma migrate deploy`, the seed) talks to it exactly as to
 * a real server. For trying the bot out with nothing installed but Node: PGlite is one Postgres
 * session behind a multiplexer, so one process only, no second worker, no production load.
 *
 * The multiplexer is ours rather than @electric-sql/pglite-socket's PGLiteSocketServer: that one
 * interleaves single protocol messages of different connections, so with two pools at work one
 * connection's Bind met another's unnamed Parse ("bind message supplies 5 parameters, but
 * prepared statement "" requires 2"). Here a connection's messages up to its Sync (or a simple
 * Query) run as one unit, and a connection inside a transaction keeps the session until it ends.
 * COPY … TO STDOUT (exports) works, as one unit. Not served: COPY … FROM STDIN (PGlite takes copy data only in the call that runs the statement,
 * while the client waits for the statement's answer before sending it), so features streaming
 * rows in with COPY need a Postgres server.
 */
export interface EmbeddedDatabase {
  /** postgresql://… URL of the loopback server, for DATABASE_URL. */
  url: string;
  /** Absolute directory holding the data. */
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Default: .data/pglite under the working directory (next to the generated data key). */
  dataDir?: string;
  /** Default 0: a free port chosen by the system. */
  port?: number;
}

/** Where `npm run demo` and `npm start` keep the embedded database when DATABASE_URL is unset. */
export const EMBEDDED_DATA_DIR = ".data/pglite";

/**
 * Connections the multiplexer accepts. Above the net server's limit a client is cut off, so this
 * covers the web pool, the jobs' pool, probes and a migrate run at once (each 10 by default).
 */
const MAX_CONNECTIONS = 64;

/** Raised when the data directory cannot be used; its message is one line for the operator. */
export class EmbeddedDatabaseError extends Error {}

interface Batch {
  connection: number;
  bytes: Uint8Array;
  socket: Socket;
}

/** Protocol codes of the untyped first messages (Postgres docs, "Message Formats"). */
const STARTUP_V3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;

/** Messages after which the client waits for answers: the end of one unit of work. */
const ENDS_UNIT = new Set(["S", "Q", "H", "c", "f"].map((c) => c.charCodeAt(0)));

/** The message with the C string at `at` prefixed by `prefix` when not empty (the unnamed one is per unit anyway). */
function renamed(message: Buffer, at: number, prefix: string): Buffer {
  const end = message.indexOf(0, at);
  if (end < 0 || end === at) return message;
  const body = Buffer.concat([message.subarray(1, at), Buffer.from(prefix), message.subarray(at)]);
  const out = Buffer.alloc(1 + body.length);
  out[0] = message[0]!;
  body.copy(out, 1);
  out.writeInt32BE(body.length, 1);
  return out;
}

/**
 * Named prepared statements live in the one session, so each connection's names get a prefix
 * of its own: the pools' clients all prepare the same names ("prepared statement … already
 * exists" otherwise).
 */
function ownStatements(message: Buffer, prefix: string): Buffer {
  switch (String.fromCharCode(message[0]!)) {
    case "P":
      return renamed(message, 5, prefix);
    case "B": {
      const portalEnd = message.indexOf(0, 5);
      return portalEnd < 0 ? message : renamed(message, portalEnd + 1, prefix);
    }
    case "D":
    case "C":
      return message[5] === "S".charCodeAt(0) ? renamed(message, 6, prefix) : message;
    default:
      return message;
  }
}

function serve(db: PGlite, maxConnections: number): { server: Server; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  const queue: Batch[] = [];
  let owner: number | undefined;
  let running = false;
  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const index = owner === undefined ? 0 : queue.findIndex((b) => b.connection === owner);
        const batch = index >= 0 ? queue.splice(index, 1)[0] : undefined;
        if (!batch) break;
        try {
          await db.runExclusive(() => db.execProtocolRawStream(batch.bytes, { onRawData: (data) => void (batch.socket.writable && batch.socket.write(Buffer.from(data))) }));
        } catch {
          batch.socket.destroy();
        }
        owner = db.isInTransaction() ? batch.connection : undefined;
      }
    } finally {
      running = false;
    }
  };
  let next = 1;
  const server = createServer((socket) => {
    const connection = next++;
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    let started = false;
    let unit: Buffer[] = [];
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.connection === connection) queue.splice(i, 1);
      if (owner !== connection) return;
      // A client gone mid-transaction must not hold the only session for ever.
      // (exec takes the session's mutex itself: inside runExclusive it would wait for ever.)
      void db.exec("ROLLBACK").catch(() => undefined).finally(() => {
        owner = undefined;
        void pump();
      });
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST || code !== STARTUP_V3) {
            socket.destroy();
            return;
          }
          started = true;
          queue.push({ connection, bytes: new Uint8Array(message), socket });
          void pump();
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const type = buffer[0]!;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (type === "X".charCodeAt(0)) {
          socket.end();
          return;
        }
        unit.push(ownStatements(message, `c${connection}_`));
        if (ENDS_UNIT.has(type)) {
          queue.push({ connection, bytes: new Uint8Array(Buffer.concat(unit)), socket });
          unit = [];
          void pump();
        }
      }
    });
  });
  server.maxConnections = maxConnections;
  return { server, sockets };
}

/** Directories this process has open (the lock file names our own pid for them). */
const openHere = new Set<string>();

/** The pid in the lock file, if that process still runs. */
function lockHolder(lockFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return openHere.has(lockFile) ? pid : undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir ?? EMBEDDED_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // Two PGlite instances writing one directory corrupt it: the second process is refused.
  const lockFile = join(dataDir, "..", `${dataDir.split(/[\\/]/).pop()}.pid`);
  const holder = lockHolder(lockFile);
  if (holder !== undefined) {
    throw new EmbeddedDatabaseError(`The embedded database in ${dataDir} is in use by process ${holder}: it serves one process only. Stop that one, or set DATABASE_URL to a real Postgres server.`);
  }
  writeFileSync(lockFile, `${process.pid}\n`);
  openHere.add(lockFile);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir, extensions: { pg_trgm } });
    const { server, sockets } = serve(db, MAX_CONNECTIONS);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the loopback server has no port");
    const opened = db;
    let stopped = false;
    return {
      url: `postgresql://postgres@127.0.0.1:${address.port}/postgres`,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        // Open pool connections would keep close() waiting: they are cut, as at a server's shutdown.
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        await opened.close();
        rmSync(lockFile, { force: true });
        openHere.delete(lockFile);
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    rmSync(lockFile, { force: true });
    openHere.delete(lockFile);
    const reason = error instanceof Error ? error.message : String(error);
    throw new EmbeddedDatabaseError(`Could not open the embedded database in ${dataDir}: ${reason}. Remove that directory to start afresh, or set DATABASE_URL to a real Postgres server.`);
  }
}
