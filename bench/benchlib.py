"""bench/benchlib.py — helpers shared by the Python load generators run by
bench/http_bench.sh (idle_conns.py, slowloris.py)."""
import argparse
import resource


def args(*extra):
    """Parse --host (default 127.0.0.1) and --port (required) plus the
    (flag, keyword-arguments) pairs in extra."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    for flag, kw in extra:
        ap.add_argument(flag, **kw)
    return ap.parse_args()


def raise_nofile(conns):
    """Raise RLIMIT_NOFILE to conns + 256 (or as far as the hard limit goes)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = conns + 256
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
