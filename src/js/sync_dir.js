// The synchronous directories behind vmmap's `sync_dir` store
// (src/store/sync_dir/): a directory on disk through `node:fs` (Node, Deno,
// Bun) or an OPFS directory through sync access handles (dedicated workers).
// Both have one shape, internal to vmmap:
//   dir:    { key, exclusive, open(name, create) -> Promise<handle>,
//             remove(name, wait = true), list() -> Promise<string[]>, replace(from, to) }
//   handle: FileSystemSyncAccessHandle's shape: read(buf, {at}),
//           write(buf, {at}), truncate(size), getSize(), flush(), close()
// Errors are named as the DOM names them: NotFoundError for a missing file,
// QuotaExceededError for a full disk or quota, TypeError for a name that
// is not a plain name inside the directory.
// `node:fs` is reached through `process.getBuiltinModule`, never imported:
// browsers and bundlers never see it.

/** "node", "deno", "bun" (each with `node:fs`) or "browser". */
export function runtime() {
  const g = globalThis;
  const hasFs = typeof g.process?.getBuiltinModule === "function";
  if (typeof g.Deno?.version?.deno === "string") return hasFs ? "deno" : "browser";
  if (typeof g.Bun?.version === "string") return hasFs ? "bun" : "browser";
  if (typeof g.process?.versions?.node === "string" && hasFs) return "node";
  return "browser";
}

/** `handle.read(buf, {at})`, without making the options object in Rust. */
export function readAt(handle, buf, at) {
  return handle.read(buf, { at });
}

/** `handle.write(buf, {at})`. */
export function writeAt(handle, buf, at) {
  return handle.write(buf, { at });
}

/** Removes `name` from `dir`, and ignores a failure (a journal that stays is harmless). */
export function removeQuietly(dir, name) {
  try {
    Promise.resolve(dir.remove(name, false)).catch(() => {});
  } catch {
    // as above
  }
}

function named(name, message) {
  const e = name === "TypeError" ? new TypeError(message) : new Error(message);
  if (name !== "TypeError") e.name = name;
  return e;
}

/** A `node:fs` error as the DOM would name it, its message kept. */
function fsError(e, what) {
  const byCode = {
    ENOENT: "NotFoundError",
    ENOTDIR: "NotFoundError",
    EISDIR: "NotFoundError",
    ENOSPC: "QuotaExceededError",
    EDQUOT: "QuotaExceededError",
    EFBIG: "QuotaExceededError",
  };
  return named(byCode[e?.code] ?? "Error", `${what}: ${e?.message ?? e}`);
}

/** Runs `f`, naming what it throws as `fsError` does. */
function fs_(what, f) {
  try {
    return f();
  } catch (e) {
    throw fsError(e, what);
  }
}

/** One open file on disk: FileSystemSyncAccessHandle's calls over a file descriptor. */
class NodeHandle {
  constructor(fs, fd, path) {
    this.fs = fs;
    this.fd = fd;
    this.path = path;
  }
  read(buf, { at }) {
    return fs_(`read ${this.path}`, () => this.fs.readSync(this.fd, buf, 0, buf.length, at));
  }
  write(buf, { at }) {
    return fs_(`write ${this.path}`, () => {
      let done = 0;
      while (done < buf.length) {
        done += this.fs.writeSync(this.fd, buf, done, buf.length - done, at + done);
      }
      return done;
    });
  }
  truncate(size) {
    fs_(`truncate ${this.path}`, () => this.fs.ftruncateSync(this.fd, size));
  }
  getSize() {
    return fs_(`size of ${this.path}`, () => this.fs.fstatSync(this.fd).size);
  }
  flush() {
    fs_(`sync ${this.path}`, () => this.fs.fsyncSync(this.fd));
  }
  close() {
    if (this.fd !== -1) {
      const fd = this.fd;
      this.fd = -1;
      fs_(`close ${this.path}`, () => this.fs.closeSync(fd));
    }
  }
}

/**
 * The directory `dir` on disk (created if missing) as a sync directory.
 * Throws NotSupportedError where there is no `node:fs`.
 */
export function nodeDir(dir) {
  const get = globalThis.process?.getBuiltinModule;
  if (typeof get !== "function") {
    throw named("NotSupportedError", "this runtime has no process.getBuiltinModule(\"node:fs\") (Node 20.16+, Deno 2, Bun 1)");
  }
  const fs = get.call(globalThis.process, "node:fs");
  const path = get.call(globalThis.process, "node:path");
  const root = path.resolve(dir);
  const found = fs.statSync(root, { throwIfNoEntry: false });
  if (found === undefined) {
    fs_(`create the store directory ${root}`, () => fs.mkdirSync(root, { recursive: true }));
  } else if (!found.isDirectory()) {
    // The name OPFS gives a directory handle asked of a file.
    throw named("TypeMismatchError", `store ${JSON.stringify(dir)} is not a directory`);
  }
  const { O_RDWR, O_RDONLY, O_CREAT, O_EXCL } = fs.constants;
  // The full path of `name`, which must name a file directly in `root`.
  const inside = (name) => {
    const full = path.resolve(root, name);
    if (typeof name !== "string" || name === "" || path.dirname(full) !== root || path.basename(full) !== name) {
      throw new TypeError(`file name ${JSON.stringify(name)} is not a plain name inside ${root}`);
    }
    return full;
  };
  // Makes a new name or a removal durable (where a directory can be opened and synced).
  const syncDir = () => {
    try {
      const fd = fs.openSync(root, O_RDONLY);
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Windows cannot sync a directory; it needs no such sync.
    }
  };
  const openFd = (full, name, create) => {
    try {
      return fs.openSync(full, O_RDWR);
    } catch (e) {
      if (e?.code === "ENOENT" && create) {
        try {
          const fd = fs.openSync(full, O_RDWR | O_CREAT | O_EXCL);
          syncDir();
          return fd;
        } catch (e2) {
          if (e2?.code !== "EEXIST") throw fsError(e2, `create ${JSON.stringify(name)}`);
          return openFd(full, name, false);
        }
      }
      // A file this process may only read is still mapped for reading.
      if (e?.code === "EACCES" || e?.code === "EPERM" || e?.code === "EROFS") {
        return fs_(`open ${JSON.stringify(name)}`, () => fs.openSync(full, O_RDONLY));
      }
      throw fsError(e, `open ${JSON.stringify(name)}`);
    }
  };
  return {
    key: `node:${root}`,
    exclusive: false,
    async open(name, create) {
      const full = inside(name);
      const fd = openFd(full, name, create);
      let isFile = false;
      try {
        isFile = fs.fstatSync(fd).isFile();
      } finally {
        if (!isFile) fs.closeSync(fd);
      }
      if (!isFile) throw named("NotFoundError", `${JSON.stringify(name)} is not a file`);
      return new NodeHandle(fs, fd, full);
    },
    async remove(name) {
      const full = inside(name);
      fs_(`remove ${JSON.stringify(name)}`, () => fs.unlinkSync(full));
      syncDir();
    },
    async list() {
      const entries = fs_(`list ${root}`, () => fs.readdirSync(root, { withFileTypes: true }));
      return entries.filter((e) => e.isFile()).map((e) => e.name);
    },
    async replace(from, to) {
      const [a, b] = [inside(from), inside(to)];
      fs_(`rename ${JSON.stringify(from)} to ${JSON.stringify(to)}`, () => fs.renameSync(a, b));
      syncDir();
    },
  };
}

/**
 * The OPFS directory `name` (created if missing, under the origin's root)
 * as a sync directory. Rejects with NotSupportedError outside a dedicated
 * worker, or where sync access handles do not exist.
 */
export async function opfsDir(name) {
  const g = globalThis;
  const inWorker = typeof g.DedicatedWorkerGlobalScope === "function" && g instanceof g.DedicatedWorkerGlobalScope;
  const sync = typeof g.FileSystemFileHandle === "function" && "createSyncAccessHandle" in g.FileSystemFileHandle.prototype;
  const root = typeof g.navigator?.storage?.getDirectory === "function";
  if (!inWorker || !sync || !root) {
    const why = !inWorker
      ? "OPFS sync access handles exist only in dedicated workers, and this is not one"
      : "this browser has no OPFS sync access handles (FileSystemFileHandle.createSyncAccessHandle)";
    throw named(
      "NotSupportedError",
      `FileStore.open(${JSON.stringify(name)}, { store: "opfs" }): ${why}; run vmmap in a dedicated worker (new Worker(url, { type: "module" })) for OPFS, or use the default IndexedDB store (FileStore.open(name)), which works everywhere`,
    );
  }
  const top = await g.navigator.storage.getDirectory();
  const dir = await top.getDirectoryHandle(name, { create: true });
  return {
    key: `opfs:${name}`,
    exclusive: true,
    async open(file, create) {
      const handle = await dir.getFileHandle(file, { create });
      return await whenFree(name, file, () => handle.createSyncAccessHandle());
    },
    // `wait` false: fail at once if the file is open anywhere (a journal
    // removed quietly must never go later, once it may hold a commit).
    async remove(file, wait = true) {
      await (wait ? whenFree(name, file, () => dir.removeEntry(file)) : dir.removeEntry(file));
    },
    async list() {
      const out = [];
      for await (const [file, handle] of dir.entries()) if (handle.kind === "file") out.push(file);
      return out;
    },
    async replace(from, to) {
      const handle = await dir.getFileHandle(from);
      await whenFree(name, to, () => handle.move(dir, to));
    },
  };
}

/**
 * How long a call waits for a file another worker or tab holds, in ms.
 * A holder keeps an OPFS file's one sync access handle only while it has
 * maps of the file or a call on it runs: a call finishes in far less, maps
 * may stay open for ever.
 */
export const BUSY_WAIT_MS = 3000;

/**
 * Runs `f` (an OPFS call on `file` of store `store`) until it does not fail
 * with NoModificationAllowedError (another worker or tab has the file open:
 * OPFS allows one sync access handle per file, in the whole origin), trying
 * again after 2, 4, ... up to 100 ms; after BUSY_WAIT_MS, throws a
 * NoModificationAllowedError that says so.
 */
async function whenFree(store, file, f) {
  const start = performance.now();
  for (let pause = 2; ; pause = Math.min(2 * pause, 100)) {
    try {
      return await f();
    } catch (e) {
      const waited = performance.now() - start;
      if (e?.name !== "NoModificationAllowedError") throw e;
      if (waited >= BUSY_WAIT_MS) {
        throw named(
          "NoModificationAllowedError",
          `${JSON.stringify(file)} in OPFS store ${JSON.stringify(store)} is held by another worker or tab of this origin ` +
            `(OPFS opens a file once at a time; a worker holds it while it has maps of it open): waited ${Math.round(waited)} ms; ` +
            `close the maps of it there (Mmap.close()), or give each worker files of its own`,
        );
      }
      await new Promise((ok) => setTimeout(ok, Math.min(pause, BUSY_WAIT_MS - waited)));
    }
  }
}
