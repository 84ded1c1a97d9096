"""``make bench-http`` (``python -m bench.throughput``): readers' pages under load.

The CMS under gunicorn (2 sync workers, production settings) with its page cache off and
on, beside a minimal Flask app serving the same pages from the same database
(``reference``) and a hello-world Flask app (the floor), each measured with wrk.
"""
