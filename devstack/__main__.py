"""``python -m devstack`` (what ``make dev`` runs)."""

from devstack.app import main

raise SystemExit(main())
