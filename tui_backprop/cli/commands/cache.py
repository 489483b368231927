"""``tui-backprop cache``: where the compiled kernels are cached, how much is there, and
``--clear`` to empty it."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from kernels.config import CacheRefused, cache_usage, clear_cache

if TYPE_CHECKING:
    from ..main import Invocation


def _size(n: int) -> str:
    """A byte count for people: 950 bytes, 12.3 kB, 4.5 MB."""
    if n < 1000:
        return f"{n} bytes"
    value = n / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def run_cache(call: Invocation) -> int:
    args = call.args
    usage = cache_usage()
    result = dict(usage)
    if args.clear:
        try:
            removed = clear_cache()
        except CacheRefused as error:
            print(f"tui-backprop cache: error: not clearing: {error}", file=sys.stderr)
            return 1
        result = cache_usage() | {"cleared": {k: removed[k] for k in ("files", "bytes")}}
    if args.json:
        print(json.dumps(result))
        return 0
    location = result["location"]
    if location is None:
        print("caching is off (TUI_BACKPROP_NO_CACHE): kernels compile on every start")
        return 0
    print(f"location  {location}")
    if result["temporary"]:
        print("          a temporary folder of this run only: the usual one is not private")
    if args.clear:
        cleared = result["cleared"]
        print(f"cleared   {cleared['files']} files, {_size(cleared['bytes'])}")
    print(f"holds     {result['files']} files, {_size(result['bytes'])}")
    return 0
