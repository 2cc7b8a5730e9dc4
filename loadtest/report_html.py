"""A load run's report: one self-contained HTML page (its plots inline SVG drawn by matplotlib,
nothing fetched when it is opened). The verdict in large type, the figures that matter, plots
over time of the result's `timeline` (timeline.py), the settings and versions. Given two
results, the page shows them side by side (A/B).

    python -m loadtest report A.json [B.json] -o out.html

`python -m loadtest run --json FILE` writes FILE.html beside it (or `--report FILE.html`).
"""

import argparse
import html
import io
from pathlib import Path

from matplotlib import rc_context
from matplotlib.figure import Figure

from .commands import UsageError, read_json
from .figures import ms, refused_by_limit, server_cpu, shown
from .verdict import verdict_line

GREEN, RED, AMBER = "#1e7b34", "#b3261e", "#8a5a00"
READINESS = {"READY": GREEN, "NOT READY": RED, "UNKNOWN": AMBER}
# Text stays text in the SVG (searchable, and a test can read a series' name); no date in it.
SVG = {"svg.fonttype": "none", "svg.hashsalt": "loadtest-report", "font.size": 9}


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def _time_axes(ylabel: str, timeline: dict):
    """Axes over the run's seconds, with a dotted line where each phase began (named unless
    too close to the one before)."""
    figure = Figure(figsize=(6.4, 2.6))
    axes = figure.add_subplot()
    axes.set_xlabel("seconds since the run began")
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    named_at = -1e9
    span = max(timeline["t_s"][-1], 1e-9)
    for name, at in timeline.get("phases", []):
        if name == "start":
            continue
        axes.axvline(at, color="#999", linestyle=":", linewidth=0.8)
        if at - named_at > span / 25:
            named_at = at
            axes.annotate(
                name,
                (at, 1),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=7,
                color="#777",
                va="top",
                ha="right",
            )
    return figure, axes


def _lines(axes, t: list, series: dict[str, list]) -> bool:
    """One line per series (None where a step had nothing); whether any had a value."""
    drawn = False
    for name, values in series.items():
        if values and any(v is not None for v in values):
            values = [float("nan") if v is None else v for v in values]
            axes.plot(t, values, label=name, marker=".", markersize=3)
            drawn = True
    return drawn


def _finish(figure: Figure, axes, drawn: bool, empty: str) -> str:
    if drawn:
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=4, fontsize=8, frameon=False)
    else:
        axes.text(0.5, 0.5, empty, transform=axes.transAxes, ha="center", color="#777")
    return _svg(figure)


def plots(result: dict) -> list[tuple[str, str]]:
    """(title, inline SVG) of each plot of the run: over time, then the on-sale's time to a
    usable map if it had arrivals."""
    tl = result.get("timeline")
    if not tl:
        return []
    t = tl["t_s"]
    out = []
    title = "Arrivals and sockets ready"
    figure, axes = _time_axes("count (cumulative)", tl)
    series = {"arrivals started": tl.get("arrivals_started"), "sockets ready": tl["sockets_ready"]}
    out.append((title, _finish(figure, axes, _lines(axes, t, series), "no sockets")))
    title = "Holds per second"
    figure, axes = _time_axes("per second", tl)
    series = {"holds/s": tl["holds_per_s"], "requests/s": tl["requests_per_s"]}
    out.append((title, _finish(figure, axes, _lines(axes, t, series), "no requests")))
    title = "Request latency"
    figure, axes = _time_axes("ms", tl)
    series = {f"request {k}": v for k, v in tl["request_ms"].items()}
    out.append((title, _finish(figure, axes, _lines(axes, t, series), "no requests")))
    title = "Push lag (commit to receipt)"
    figure, axes = _time_axes("ms", tl)
    series = {f"push {k}": v for k, v in tl["push_lag_ms"].items()}
    out.append((title, _finish(figure, axes, _lines(axes, t, series), "no pushes")))
    title = "Errors by code"
    figure, axes = _time_axes(f"per {tl['step_s']} s", tl)
    bottom = [0] * len(t)
    for code, counts in sorted(tl["errors_by_code"].items()):
        axes.bar(t, counts, width=tl["step_s"], bottom=bottom, align="edge", label=code)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    out.append((title, _finish(figure, axes, bool(tl["errors_by_code"]), "no errors")))
    if tl.get("time_to_map"):
        title = "Time to a usable map (each arrival)"
        figure, axes = _time_axes("ms", tl)
        starts, ms = zip(*tl["time_to_map"], strict=True)
        axes.scatter(starts, ms, s=6, label="time to map", alpha=0.6)
        axes.set_xlabel("seconds since the run began (the arrival's start)")
        out.append((title, _finish(figure, axes, True, "")))
    if result.get("queue", {}).get("waits"):
        title = "Queue position and wait (each buyer called)"
        figure = Figure(figsize=(6.4, 2.6))
        axes = figure.add_subplot()
        axes.set_ylabel("seconds waited")
        axes.grid(alpha=0.3)
        for late, label in ((False, "joined before the on-sale"), (True, "joined after it")):
            points = [(n, w) for n, w, was_late in result["queue"]["waits"] if was_late is late]
            if points:
                axes.scatter(*zip(*points, strict=True), s=6, alpha=0.6, label=label)
        axes.set_xlabel("number in the queue")
        out.append((title, _finish(figure, axes, True, "")))
    return out


def key_figures(result: dict) -> list[tuple[str, str]]:
    if "clicks" not in result:  # `ready` whose set-up failed, or one that did not run
        return [("the run", "none: see the verdict")]
    c, push = result.get("connect") or {}, result.get("push") or {}
    clicks, server = result.get("clicks") or {}, result.get("server") or {}
    client = result.get("client") or {}
    rows = [
        ("sockets ready / refused", f"{c.get('ready', '–')} / {c.get('refused', '–')}"),
        (
            "requests, holds a second",
            f"{clicks.get('requests', '–')}, {shown(clicks.get('holds_per_s'))}",
        ),
        ("request latency", ms(clicks.get("latency_ms"))),
        ("push latency", ms(push.get("latency_ms"))),
        ("delivered / expected", f"{push.get('delivered', '–')} / {push.get('expected', '–')}"),
        ("server CPU", server_cpu(server)),
        ("client CPU", f"{client.get('cpu_s')} s in {client.get('processes')} process(es)"),
    ]
    if clicks.get("holds_asked"):
        rows.insert(2, ("holds refused by a limit", refused_by_limit(clicks)))
    onsale = result.get("onsale")
    if onsale:
        rows += [
            ("maps usable", f"{onsale['maps_usable']} of {onsale['arrivals']}"),
            ("time to a usable map", ms(onsale["time_to_map_ms"])),
            (
                "CPU per arrival: server / client",
                f"{shown(onsale['server_cpu_ms_per_arrival'], ' ms', 'no --server-pid')} / "
                f"{shown(onsale.get('client_cpu_ms_per_arrival'), ' ms')}",
            ),
        ]
    return rows


def _table(rows) -> str:
    body = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    return f"<table>{body}</table>"


def _verdict(result: dict) -> str:
    """The run's PASS or FAIL and why; for `ready`'s result its answer, READY, NOT READY or
    UNKNOWN and its line, with the probe's verdict under it."""
    v, readiness = result.get("verdict") or {}, result.get("readiness")
    if readiness:
        word, colour = readiness["status"], READINESS[readiness["status"]]
        failures = [readiness["line"].removeprefix(f"{word}: ")]
        said = verdict_line(v) if v else "not run"
        notes = [f"the probe's verdict: {said}"]
    else:
        word, colour = ("PASS", GREEN) if v.get("passed") else ("FAIL", RED)
        failures, notes = v.get("failures", []), v.get("notes", [])
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in failures)
    notes = "".join(f"<li class=note>{html.escape(n)}</li>" for n in notes)
    return (
        f'<div class="verdict" style="color:{colour}">{word}</div>'
        f"<ul class=reasons>{reasons}{notes}</ul>"
    )


def _settings(result: dict) -> list[tuple[str, str]]:
    config = dict(result.get("config") or {})
    argv = config.pop("argv", None)
    rows = [("command", "python -m loadtest run " + " ".join(argv))] if argv else []
    readiness = result.get("readiness")
    if readiness:
        rows = [("command", "python -m loadtest ready " + " ".join(readiness["argv"]))]
        rows += [("the probe's run", "python -m loadtest run " + " ".join(argv))] if argv else []
    return rows + sorted((k, v) for k, v in config.items() if v not in (None, [], False))


def _versions(result: dict) -> list[tuple[str, str]]:
    rows = list((result.get("versions") or {}).items())
    commit = (result.get("server") or {}).get("commit") or (result.get("machine") or {}).get("git")
    return [*rows, ("server commit", commit or "not in the result")]


def _figure(title: str, svg: str) -> str:
    return f"<figure><figcaption>{html.escape(title)}</figcaption>{svg}</figure>"


def _heading(label: str, result: dict) -> str:
    config = result.get("config") or {}
    said = " · ".join(
        f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}"
        for k in ("profile", "url", "event")
        if (v := config.get(k)) is not None
    )
    return f"<h2>{html.escape(label)}</h2><p class=note>{html.escape(said)}</p>"


def render(runs: list[tuple[str, dict]]) -> str:
    """The page of one run (its plots two abreast), or of two side by side (A/B: each section
    a row, each run a column)."""
    labels = [name if len(runs) == 1 else f"{'AB'[i]}: {name}" for i, (name, _) in enumerate(runs)]
    with rc_context(SVG):
        drawn = [dict(plots(r)) for _, r in runs]
    titles = list(dict.fromkeys(t for d in drawn for t in d))
    missing = "<p class=note>not in this run</p>"
    if not titles:
        figures = [["<p class=note>no timeline in this result</p>"] * len(runs)]
    elif len(runs) == 1:
        figures = [["<div class=plots>" + "".join(_figure(t, drawn[0][t]) for t in titles)]]
    else:
        figures = [[_figure(t, d[t]) if t in d else missing for d in drawn] for t in titles]
    sections = [
        ("", [_heading(label, r) for label, (_, r) in zip(labels, runs, strict=True)]),
        ("Verdict", [_verdict(r) for _, r in runs]),
        ("Figures", [_table(key_figures(r)) for _, r in runs]),
        *(("Over time" if i == 0 else "", cells) for i, cells in enumerate(figures)),
        ("Settings", [_table(_settings(r)) for _, r in runs]),
        ("Versions", [_table(_versions(r)) for _, r in runs]),
    ]
    body = "".join(
        (f"<h3>{html.escape(title)}</h3>" if title else "")
        + f'<div class="row" style="grid-template-columns:repeat({len(runs)},minmax(0,1fr))">'
        + "".join(f"<div class=cell>{cell}</div>" for cell in cells)
        + "</div>"
        for title, cells in sections
    )
    title = "Load run report" + ("" if len(runs) == 1 else " (A/B)")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}: {
        html.escape(" vs ".join(labels))
    }</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1500px;
  padding: 0 1.5em; color: #222; }}
h1 {{ font-size: 1.5em; margin: 0 0 .5em; }}
h2 {{ font-size: 1.2em; margin: 0; }}
h3 {{ font-size: 1.05em; margin: 1.2em 0 .4em; border-bottom: 1px solid #ddd; }}
.row {{ display: grid; gap: 2em; }}
.plots {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr));
  gap: 1em 2em; }}
figure {{ margin: 0; }}
figcaption {{ font-weight: 600; }}
figure svg {{ width: 100%; height: auto; max-width: 760px; }}
.verdict {{ font-size: 5em; font-weight: 800; line-height: 1; }}
.reasons {{ margin: .3em 0; padding-left: 1.2em; font-size: 1.1em; }}
.note {{ color: #666; margin: .2em 0; }}
table {{ border-collapse: collapse; }}
th {{ text-align: left; font-weight: 600; padding: 1px 1.5em 1px 0; vertical-align: top; }}
td {{ font-family: ui-monospace, monospace; font-size: .92em; word-break: break-word; }}
</style></head>
<body><h1>{html.escape(title)}</h1>{body}</body></html>
"""


def write_report(runs: list[tuple[str, dict]], path: Path) -> None:
    path.write_text(render(runs), encoding="utf-8")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="+", metavar="RESULT.json", help="one result, or two (A B)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.html", help="the page")


def prepare(args: argparse.Namespace) -> None:
    if len(args.results) > 2:
        raise UsageError("one result, or two to compare")


def main(args: argparse.Namespace) -> int:
    runs = [(Path(f).stem, read_json(f, "a saved result (--json)")) for f in args.results]
    write_report(runs, Path(args.output))
    print(f"report: {args.output}")
    return 0
