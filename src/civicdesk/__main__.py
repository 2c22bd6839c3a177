"""Allow `python -m civicdesk SUBCOMMAND`."""

from civicdesk.cli import main

main()
