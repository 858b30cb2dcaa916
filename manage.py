#!/usr/bin/env python
"""Django's command-line utility; `kerne` (kerne/cli.py) is the same with nicer names."""

from kerne.cli import main

if __name__ == "__main__":
    main()
