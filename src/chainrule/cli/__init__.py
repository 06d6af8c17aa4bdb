"""The command line: ``python -m chainrule demo | train | evaluate``.

Each subcommand lives in its own module, which adds its parser with ``register`` and sets
``run(args) -> exit code``.  Bad options print one line and exit with status 2.
"""

import argparse
import sys

__all__ = ["main", "OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line on stderr (exit status 2)."""

    def error(self, message):
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser():
    from . import demo, train

    parser = OneLineParser(
        prog="chainrule", description="chainrule: backpropagation you can see, on NumPy."
    )
    commands = parser.add_subparsers(
        dest="command", metavar="{demo,train,evaluate}", parser_class=OneLineParser
    )
    commands.required = True
    demo.register(commands)
    train.register(commands)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)
