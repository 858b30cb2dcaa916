"""The `kerne` console script: Django's management commands under one name.

`kerne import-org`, `kerne demo`, `kerne migrate` … Hyphens in a command name
are accepted for underscores, so commands read naturally on the command line.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kerne", *args])


if __name__ == "__main__":
    main()
