"""``python -m dpo_cli``: the same as ``contact-intake-dpo``."""

from dpo_cli.cli import main

raise SystemExit(main())
