"""``python -m geminidb_backup``: the ``geminidb-backup`` command."""

from geminidb_backup.cli import main

main()
