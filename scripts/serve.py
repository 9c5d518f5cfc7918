#!/usr/bin/env python3
"""Serves the demo page: www/ and the built package pkg/ of this repository,
on loopback only, with the MIME types ES modules and WebAssembly need
(text/javascript, application/wasm) and no caching. `/` redirects to /www/.

    python3 scripts/serve.py            # port $PORT, else 8000 (the next free one if taken)
    PORT=0 python3 scripts/serve.py     # any free port

Prints one line, "vmmap demo: <url>", once it listens.
"""
import http.server
import os
import sys
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVED = ("/www/", "/pkg/")


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".png": "image/png",
        ".ts": "text/plain; charset=utf-8",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if path in ("/", "/index.html", "/www", "/pkg"):
            self.send_response(302)
            self.send_header("Location", "/www/" if path != "/pkg" else "/pkg/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(SERVED) or "/." in path:
            self.send_error(404, "only www/ and pkg/ are served")
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "no directory listings")
        return None

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("VERBOSE"):
            super().log_message(fmt, *args)

    def log_error(self, fmt, *args):
        super().log_message(fmt, *args)


def main():
    wanted = os.environ.get("PORT")
    ports = [int(wanted)] if wanted else range(8000, 8020)
    for port in ports:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError as e:
            error = e
    else:
        sys.exit(f"cannot listen on 127.0.0.1 port {wanted or '8000-8019'}: {error}")
    if not os.path.exists(os.path.join(ROOT, "pkg", "vmmap_bg.wasm")):
        print("warning: pkg/ is not built: run scripts/build-pkg.sh", file=sys.stderr)
    print(f"vmmap demo: http://127.0.0.1:{server.server_address[1]}/www/", flush=True)
    print("open it in a browser; Ctrl+C stops the server", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
