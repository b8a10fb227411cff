"""``python -m genstudy`` runs the command line."""

from genstudy.cli import main

raise SystemExit(main())
