"""``make bench``: the CMS at scale, measured in process on SQLite and PostgreSQL.

Not a test (timings depend on the machine): it seeds a fresh database of each kind with
the recipe of issue 9 (see ``bench.seed``), then times the admin and public pages a
user opens most (see ``bench.pages``) against plain queries for the same rows.
"""
