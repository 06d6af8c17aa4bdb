"""A tiny harness for worker scripts: run named checks, record each rank's outcome."""

import json
import pathlib
import sys
import traceback


class Checks:
    """``with checks("name"): ...`` records "ok" or the failure's traceback for this rank."""

    def __init__(self, rank):
        self.rank = rank
        self.results = {}
        self.out = pathlib.Path(sys.argv[1])

    def __call__(self, name):
        return _Check(self, name)

    def write(self):
        (self.out / f"rank{self.rank}.json").write_text(json.dumps(self.results, indent=1))


class _Check:
    def __init__(self, checks, name):
        self.checks, self.name = checks, name

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.checks.results[self.name] = "ok"
        else:
            self.checks.results[self.name] = "".join(traceback.format_exception(exc_type, exc, tb))
        return True  # carry on with the next check; the test reports this one
