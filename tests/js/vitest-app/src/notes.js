// src/notes.js: browser code, a notes log in one mapped file, a note a line
import init, { FileStore } from "vmmap";

export async function openNotes(storeName) {
  await init();
  const store = await FileStore.open(storeName); // a page: IndexedDB; vitest in Node: a directory
  const map = (await store.list()).includes("notes.log")
    ? await store.map("notes.log")
    : await store.map("notes.log", { length: 64 * 1024, create: true });
  const end = () => {
    const at = map.find(new Uint8Array([0]), 0); // the first zero byte
    return at === -1 ? map.length : at;
  };
  return {
    async add(note) {
      map.setSlice(end(), new TextEncoder().encode(`${note.replaceAll("\n", " ")}\n`)); // RangeError when full
      await map.flush();
    },
    all() {
      const text = new TextDecoder().decode(map.slice(0, end()));
      return text === "" ? [] : text.slice(0, -1).split("\n");
    },
    search(word) {
      return this.all().filter((note) => note.includes(word));
    },
    close() {
      map.close();
      store.close();
    },
  };
}
