"""The audit log: an append-only record of every change made through the admin and the CLI."""
