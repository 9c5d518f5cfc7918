#!/usr/bin/env python3
"""CPython peer for the `find` row of `benches/native.rs`.

Maps PATH read-only with Python's own `mmap` module and times
`mmap.find(needle)` over the whole map with `time.perf_counter`, after one
untimed warm-up search that also pulls the file into the page cache.

Usage:
    python3 benches/cpython_find.py PATH NEEDLE_HEX [REPS]

Prints `key=value` lines on stdout, which the Rust bench parses:
    best_seconds=<fastest repetition, in seconds>
    median_seconds=<median repetition, in seconds>
    times=<every repetition, in seconds, comma-separated>
    index=<what find returned; -1 when absent>
    python=<interpreter version>
"""

import mmap
import platform
import statistics
import sys
import time


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    needle = bytes.fromhex(argv[2])
    reps = int(argv[3]) if len(argv) == 4 else 5
    if not needle or reps < 1:
        print("needle must be non-empty and REPS >= 1", file=sys.stderr)
        return 2

    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        index = m.find(needle)  # warm-up; faults every page in
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            got = m.find(needle)
            times.append(time.perf_counter() - start)
            if got != index:
                print(f"find changed its answer: {got} != {index}", file=sys.stderr)
                return 1

    print(f"best_seconds={min(times):.9f}")
    print(f"median_seconds={statistics.median(times):.9f}")
    print("times=" + ",".join(f"{t:.9f}" for t in times))
    print(f"index={index}")
    print(f"python={platform.python_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
