"""The table ``make bench-http`` prints (Markdown, for the README)."""

from __future__ import annotations

from .servers import Memory
from .wrk import Load

#: The issue's targets.
UNCACHED_TO_MINIMAL = 0.75
CACHED_TO_HELLO = 0.5
WORKER_MIB = 80


def _rate(result) -> str:
    text = f"{result.per_second:,.0f}"
    return f"{text} ({result.errors})" if result.errors else text


def _ratio(value: float, target: float) -> str:
    return f"{value:.2f}" + ("" if value >= target else " **below**")


def _memory(workers: list[Memory]) -> str:
    return ", ".join(f"{m.rss:.0f} / {m.pss:.0f}" for m in workers)


def print_report(
    paths: dict[str, str],
    rates: dict,
    memory: dict[str, list[Memory]],
    load: Load,
    rounds: int,
    uptime: str,
) -> None:
    print(
        f"wrk -t{load.threads} -c{load.connections} -d{load.seconds}s against gunicorn, "
        f"2 sync workers; requests per second, the best of {rounds} rounds\n"
    )
    print(
        "| page | uncached | cached | minimal Flask | hello world (same turn) | uncached / minimal "
        f"(≥ {UNCACHED_TO_MINIMAL}) | cached / hello (≥ {CACHED_TO_HELLO}) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for label in paths:
        uncached, cached, minimal, hello = (
            rates[name][label] for name in ("uncached", "cached", "minimal", "hello")
        )
        print(
            f"| {label} | {_rate(uncached)} | {_rate(cached)} | {_rate(minimal)} | {_rate(hello)} "
            f"| {_ratio(uncached.per_second / minimal.per_second, UNCACHED_TO_MINIMAL)} "
            f"| {_ratio(cached.per_second / hello.per_second, CACHED_TO_HELLO)} |"
        )
        rows.append((label, uncached, cached, minimal, hello))
    print(
        "\nThe workers' CPU time per request, in ms (user + system, from /proc: what the "
        "machine's other load changes least), and the same ratios from it:\n"
    )
    print(
        "| page | uncached | cached | minimal Flask | hello world | minimal / uncached "
        "| hello / cached |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for label, uncached, cached, minimal, hello in rows:
        print(
            f"| {label} | {uncached.cpu_ms:.2f} | {cached.cpu_ms:.2f} | {minimal.cpu_ms:.2f} "
            f"| {hello.cpu_ms:.2f} "
            f"| {_ratio(minimal.cpu_ms / uncached.cpu_ms, UNCACHED_TO_MINIMAL)} "
            f"| {_ratio(hello.cpu_ms / cached.cpu_ms, CACHED_TO_HELLO)} |"
        )
    print(f"\nWorkers' memory after the run, RSS / PSS in MiB (target ≤ {WORKER_MIB}):\n")
    print("| server | workers |\n|---|---|")
    names = {
        "uncached": "CMS, cache off",
        "cached": "CMS, cache on",
        "minimal": "minimal Flask",
        "hello": "hello world",
    }
    for name, title in names.items():
        print(f"| {title} | {_memory(memory[name])} |")
    print("\nPages:\n")
    for label, path in paths.items():
        print(f"- {label}: `{path}`")
    print(f"\n`uptime` after the run: {uptime}")
