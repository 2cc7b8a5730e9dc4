"""The fan-out bench's results drawn: three PNG plots (matplotlib, as report_html.py draws), a
markdown table, and both written into docs/BENCHMARK-FANOUT.md between its markers."""

import os
import re
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

HATCHED = {"fill": False, "hatch": "//", "label": "_nolegend_"}
PLOTS = {
    "cpu-per-delivery.png": "Server CPU per delivery (µs; hatched: Redis's)",
    "completion.png": "Trigger to the last watcher (ms, log scale)",
    "memory-per-socket.png": "Server memory per socket (KiB)",
}


def _grouped(axes, runs: list[dict], sizes: list[int], servers: list[str], value, **bar):
    """One group of bars per size, one bar per server: `value(run)` (None: no bar), on top of
    `bottom(run)` if given."""
    bottom = bar.pop("bottom", lambda run: 0)
    width = 0.8 / max(1, len(servers))
    for i, server in enumerate(servers):
        found = {r["watchers"]: r for r in runs if r["server"] == server and "failed" not in r}
        shown = [(j, found[n]) for j, n in enumerate(sizes) if n in found]
        shown = [(j, run) for j, run in shown if value(run) is not None]
        axes.bar(
            [j + i * width for j, _ in shown],
            [value(run) for _, run in shown],
            width,
            bottom=[bottom(run) or 0 for _, run in shown],
            **{"label": server, **bar},
        )
    axes.set_xticks([j + width * (len(servers) - 1) / 2 for j in range(len(sizes))])
    axes.set_xticklabels([f"{n:,} watchers" for n in sizes])
    axes.grid(axis="y", alpha=0.3)


def _get(*keys):
    def value(run):
        for key in keys:
            run = None if run is None else run.get(key)
        return run

    return value


def plots(results: dict, folder: Path) -> list[Path]:
    runs = results["runs"]
    sizes = sorted({r["watchers"] for r in runs})
    servers = list(dict.fromkeys(r["server"] for r in runs))
    folder.mkdir(parents=True, exist_ok=True)
    drawn = []
    for name, title in PLOTS.items():
        figure = Figure(figsize=(7, 3.2))
        axes = figure.add_subplot()
        axes.set_title(title, fontsize=10)
        if name == "cpu-per-delivery.png":
            cpu = _get("cpu_us_per_delivery")
            _grouped(axes, runs, sizes, servers, cpu)
            redis = _get("redis_us_per_delivery")
            _grouped(axes, runs, sizes, servers, redis, bottom=cpu, **HATCHED)
        elif name == "completion.png":
            p99 = _get("completion_ms", "p99")
            _grouped(axes, runs, sizes, servers, p99, alpha=0.35, label="_nolegend_")
            axes.set_prop_cycle(None)
            _grouped(axes, runs, sizes, servers, _get("completion_ms", "p50"))
            axes.set_yscale("log")
            plain = FuncFormatter(lambda value, _: f"{value:g}" if f"{value:g}"[0] in "125" else "")
            axes.yaxis.set_major_formatter(plain)
            axes.yaxis.set_minor_formatter(plain)
            axes.set_title(title + "; solid p50, pale p99", fontsize=10)
        else:
            _grouped(axes, runs, sizes, servers, lambda run: run["rss_bytes_per_socket"] / 1024)
        axes.legend(fontsize=8, ncols=len(servers), loc="upper center", bbox_to_anchor=(0.5, -0.1))
        path = folder / name
        figure.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
        drawn.append(path)
    return drawn


def _cell(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: dict) -> str:
    floors = [r for r in results["runs"] if r["server"] == "floor"]
    floor = {r["watchers"]: r.get("cpu_us_per_delivery") for r in floors}
    head = (
        "| watchers | server | server CPU µs/delivery | × floor | of which the trigger | "
        "Redis CPU µs | client CPU µs | completion p50 / p99 ms | KiB/socket | "
        "storm: connected (refused) | delivered / expected |\n" + "|---" * 11 + "|\n"
    )
    rows = []
    for r in results["runs"]:
        if "failed" in r:
            rows.append(f"| {r['watchers']:,} | {r['server']} | failed: {r['failed'][:120]} |")
            continue
        cpu, base = r["cpu_us_per_delivery"], floor.get(r["watchers"])
        times = r["completion_ms"]
        rows.append(
            f"| {r['watchers']:,} | {r['server']} | {_cell(cpu, 2)} | "
            f"{_cell(cpu / base if cpu and base else None, 2)} | "
            f"{_cell(r['trigger_us_per_delivery'], 2)} | {_cell(r['redis_us_per_delivery'], 2)} | "
            f"{_cell(r['client_us_per_delivery'], 2)} | "
            f"{_cell(times['p50'])} / {_cell(times['p99'])} | "
            f"{_cell(r['rss_bytes_per_socket'] / 1024)} | "
            f"{r['connected']:,} ({r['refused']:,}) | {r['delivered']:,} / {r['expected']:,} |"
        )
    return head + "\n".join(rows) + "\n"


def machine_line(machine: dict) -> str:
    return (
        f"{machine['cpu_model']}, {machine['nproc']} CPUs (`nproc`), "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}; Python {machine['python']}, "
        f"Django {machine['django']}, Channels {machine['channels']}, channels_redis "
        f"{machine['channels_redis']}, uvicorn {machine['uvicorn']}, daphne {machine['daphne']}, "
        f"{(machine['redis_server'] or 'Redis ?').split(' sha=')[0]}; commit {machine['git']}."
    )


def _between(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {marker} -->\n).*?(<!-- /{marker} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no <!-- {marker} --> ... <!-- /{marker} --> in the doc")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def render(results: dict, folder: Path, doc: Path) -> str:
    """Draw the plots into `folder`, and write the table, plots and machine into `doc`'s
    marked sections; the markdown of the results."""
    drawn = plots(results, folder)
    pictures = "".join(
        f"![{PLOTS[p.name]}]({Path(os.path.relpath(p, doc.parent)).as_posix()})\n\n" for p in drawn
    )
    results_md = f"Run: `{results['command']}`\n\n{table(results)}\n{pictures}"
    text = _between(doc.read_text(), "fanout:machine", machine_line(results["machine"]) + "\n")
    doc.write_text(_between(text, "fanout:results", results_md))
    return results_md
