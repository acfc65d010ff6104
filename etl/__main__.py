"""``python -m etl`` runs the ``landscape`` command."""

from etl.cli import main

main()
