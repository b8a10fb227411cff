"""``python -m genstudy`` runs the command line."""

from genstudy.site.cli import main

raise SystemExit(main())
