"""The `civicdesk` command: Django management commands under friendlier, hyphenated names."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run `civicdesk SUBCOMMAND ...`; `seed-demo` runs the seed_demo command, and so on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["civicdesk", *args])


if __name__ == "__main__":
    main()
