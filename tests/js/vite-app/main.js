// The package as a bundled app imports it: by name, with the .wasm as an asset.
import init, { FileStore, Mmap, PAGESIZE } from "vmmap";

async function main() {
  await init();
  const m = Mmap.anonymous(PAGESIZE);
  m.write("bundled");
  const store = await FileStore.open(`vite-${Date.now()}`);
  await store.writeFile("f", m.slice(0, 7));
  const mapped = await store.map("f", { access: "read" });
  window.result = new TextDecoder().decode(mapped.read());
}

main().catch((e) => {
  window.result = `error: ${e}`;
});
