"""``python -m geminidb_backup``: the ``geminidb-backup`` command."""

from geminidb_backup.cli import main

if __name__ == "__main__":  # imported (by a documentation tool, say), it runs nothing
    main()
