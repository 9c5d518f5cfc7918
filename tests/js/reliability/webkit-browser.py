#!/usr/bin/python3
"""A WebKitGTK browser for WebKitWebDriver that keeps its website data.

WebKitGTK's MiniBrowser, which WebKitWebDriver starts by default, gives an
automated session an ephemeral website data manager (MiniBrowser's main.c:
`if (privateMode || automationMode) manager =
webkit_website_data_manager_new_ephemeral()`): IndexedDB lives in memory and
is gone when the browser ends, so a crash test cannot restart it on the same
data. This one is MiniBrowser's automation mode with a persistent data
directory, and optionally a per-origin storage quota:

    webkit-browser.py --automation --data-dir DIR [--origin-storage-ratio R]

WebKitWebDriver starts it (capability webkitgtk:browserOptions: binary
/usr/bin/python3, args [this file, ...]) with WEBKIT_INSPECTOR_SERVER set,
which WebKitGTK reads to reach the driver. Needs Debian's python3-gi and
gir1.2-webkit2-4.1 (scripts/lib.sh need_webkit) and an X display (xvfb-run).
WebKitGTK's defaults are kept: no feature is switched on or off here.
"""
import argparse
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--automation", action="store_true", required=True)
parser.add_argument("--data-dir", required=True, help="where IndexedDB and the rest are kept")
parser.add_argument("--origin-storage-ratio", type=float, default=None,
                    help="each origin's quota as a fraction of the volume's size")
args, _ = parser.parse_known_args()

props = {"base_data_directory": args.data_dir, "base_cache_directory": f"{args.data_dir}/cache"}
if args.origin_storage_ratio is not None:
    props["origin_storage_ratio"] = args.origin_storage_ratio
manager = WebKit2.WebsiteDataManager(**props)
context = WebKit2.WebContext(website_data_manager=manager)
context.set_automation_allowed(True)
windows = []


def new_view(_session):
    view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True)
    window = Gtk.Window()
    window.set_default_size(1280, 800)
    window.add(view)
    windows.append(window)

    def closed(_view):
        window.destroy()
        windows.remove(window)
        if not windows:
            Gtk.main_quit()

    view.connect("close", closed)
    window.show_all()
    return view


def automation_started(_context, session):
    info = WebKit2.ApplicationInfo()
    info.set_name("vmmap-webkit-browser")
    info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
    session.set_application_info(info)
    session.connect("create-web-view", new_view)


context.connect("automation-started", automation_started)
Gtk.main()
sys.exit(0)
