// Uses the whole JS API as a TypeScript user would; `tsc --noEmit` must pass
// (tests/js/types.test.mjs). The @ts-expect-error lines must stay errors.
import init, {
  ACCESS_COPY, ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, ALLOCATIONGRANULARITY, FileStore,
  MADV_DONTNEED, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, Mmap, PAGESIZE,
  type MapOptions, type WriteFileOptions,
} from "vmmap";

export async function everything(): Promise<number> {
  await init();
  const store: FileStore = await FileStore.open();
  const named: FileStore = await FileStore.open("data");
  const progress: WriteFileOptions = { onProgress: (done: number, total: number) => void (done / total) };
  await store.writeFile("a.bin", new Uint8Array(PAGESIZE), progress);
  await store.writeFile("b.bin", new Blob(["blob"]));
  const bytes: Uint8Array = await store.readFile("a.bin");
  const blob: Blob = await store.readFileBlob("a.bin");
  const stream: ReadableStream<Uint8Array> = store.readFileStream("a.bin");
  void (blob.size + (stream.locked ? 1 : 0));
  const size: number = await store.size("a.bin");
  const names: string[] = await store.list();
  await store.remove("b.bin");
  const persisted: boolean = await store.persisted();
  const granted: boolean = await store.persist();
  const { usage, quota }: { usage: number; quota: number } = await store.estimate();
  const opts: MapOptions = { length: PAGESIZE, offset: 0 * ALLOCATIONGRANULARITY, access: "read", create: false };
  const ro: Mmap = await store.map("a.bin", opts);
  const rw = await store.map("a.bin", { access: ACCESS_WRITE });
  await store.map("a.bin", { access: ACCESS_COPY });
  await store.map("a.bin", { access: ACCESS_READ });
  await store.map("a.bin", { access: ACCESS_DEFAULT });
  await store.map("a.bin");
  const access: "read" | "write" | "copy" = ro.access;
  const closed: boolean = ro.closed;
  const length: number = rw.length;

  const byte: number = rw.get(-1);
  rw.set(0, 255);
  const copy: Uint8Array = rw.slice(1, -1);
  rw.slice();
  rw.slice(2);
  rw.setSlice(0, copy);
  const view: Uint8Array = rw.view();
  view[0] = 1;
  const at: number = rw.find("needle") + rw.find(new Uint8Array([1]), 0, 10) + rw.rfind("x", -5);
  const read: Uint8Array = rw.read();
  rw.read(10);
  const b: number = rw.readByte();
  const line: Uint8Array = rw.readline();
  const written: number = rw.write("text") + rw.write(new Uint8Array(2));
  rw.writeByte(7);
  const pos: number = rw.seek(0) + rw.seek(-1, 2) + rw.seek(1, 1) + rw.seek(0, 0) + rw.tell();
  const fileSize: number = rw.size();
  rw.resize(2 * PAGESIZE);
  rw.move(0, 1, 2);
  const flushed: Promise<void> = rw.flush();
  await flushed;
  await rw.flush(0, PAGESIZE);
  await rw.flush(PAGESIZE);
  for (const advice of [MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED]) {
    rw.madvise(advice);
    rw.madvise(advice, 0, PAGESIZE);
  }
  {
    using scratch = Mmap.anonymous(16);
    scratch.set(0, 1);
  }
  rw[Symbol.dispose]();
  rw.close();
  ro.close();
  store.close();
  named.close();

  // @ts-expect-error: get takes a number
  rw.get("0");
  // @ts-expect-error: access is one of three names
  const wrong: "rw" = ro.access;
  // @ts-expect-error: seek's whence is 0, 1 or 2
  rw.seek(0, 3);
  // @ts-expect-error: writeFile takes bytes or a Blob
  await store.writeFile("c", "text");
  // @ts-expect-error: map's access is a name or a number
  await store.map("a.bin", { access: true });
  // @ts-expect-error: persist() resolves with a boolean, not a string
  const grantedText: string = await store.persist();
  // @ts-expect-error: estimate() has usage and quota, nothing else
  (await store.estimate()).usageDetails;
  void grantedText;
  void wrong;

  return bytes.length + size + names.length + byte + at + read.length + b + line.length + written + pos +
    fileSize + length + Number(closed) + access.length + Number(persisted) + Number(granted) + usage + quota;
}
