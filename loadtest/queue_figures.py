"""The queue profile's figures, pure functions of what it observed (queue_observed.py): time in
queue, admissions a minute (the frames' own count and the one observed from `serving`), the
error of the estimate a waiting buyer is shown, how long "sold out" took to reach the last
waiting socket, and the share of admitted buyers who got no seat; and the rows the run prints.
"""

from __future__ import annotations

from collections import Counter

from .figures import aligned, counts, spread
from .queue_observed import Observed, QueueFrame, call_of, first_sold_out, frames_read
from .queue_verdict import sold_out_seen_ns, waiting_at
from .stats import quantiles
from .verdict import verdict_line

SPREAD = (0.50, 0.90, 0.99)


def waits(observed: list[Observed], on_sale_ns: int) -> list[tuple[int, float, bool]]:
    """(number, seconds from the join or the on-sale if later to the frame that called it,
    joined late) of each buyer called, in number order: the report's queue plot."""
    return sorted(
        (s.number, round((call.received_ns - max(s.joined_ns, on_sale_ns)) / 1e9, 3), bool(s.late))
        for s in observed
        if (call := call_of(s)) is not None and s.joined_ns is not None and s.number is not None
    )


def admissions(frames: list[QueueFrame], on_sale_ns: int) -> dict:
    """Numbers called a minute, two ways. `frame_rate`: the frames' `rate` (the server's count
    of numbers called in the last minute) while it calls; `observed`: `serving` over the
    server's time between consecutive frames, and over the whole sale (from the on-sale to the
    last call). The server publishes no target of its own: what it calls each tick follows the
    seats (API.md "Admission from the seats"); `calls_per_tick` is what each frame added."""
    selling = [f for f in frames if f.drawn and f.at_ns >= on_sale_ns]
    intervals = []
    for before, after in zip(selling, selling[1:], strict=False):
        seconds = (after.at_ns - before.at_ns) / 1e9
        if seconds > 0 and before.state != "sold_out":
            intervals.append((after.serving - before.serving) / seconds * 60)
    per_tick, last_call, serving = [], None, 0
    for frame in selling:
        if frame.serving > serving:
            per_tick.append(frame.serving - serving)
            last_call, serving = frame, frame.serving
    rates = [f.rate for f in selling if f.state != "sold_out" and f.serving > 0]
    minutes = (last_call.at_ns - on_sale_ns) / 60e9 if last_call else 0
    first_call = next((f for f in selling if f.serving > 0), None)
    return {
        "numbers_called": serving,
        "observed_per_min_whole_sale": round(serving / minutes, 1) if minutes > 0 else None,
        "observed_per_min_between_frames": quantiles(intervals, 1.0, SPREAD),
        "frame_rate_per_min": quantiles(rates, 1.0, SPREAD),
        "calls_per_tick": quantiles(per_tick, 1.0, SPREAD),
        "frames": len(frames),
        "first_call_after_on_sale_s": (
            round((first_call.at_ns - on_sale_ns) / 1e9, 3) if first_call else None
        ),
    }


def estimate_error(observed: list[Observed]) -> dict:
    """The estimate a waiting buyer is shown on each frame (PROTOCOL.md: `ahead` = number -
    serving - 1; about `ahead x show_share` of them come, at `rate` a minute: a range from
    ahead x show_share / rate to ahead / rate minutes) against the time its number was in fact
    called after that frame, for the buyers called. Frames with no rate yet show no estimate."""
    errors, inside, no_estimate = [], 0, 0
    for seen in observed:
        call = call_of(seen)
        if call is None or seen.number_ns is None:
            continue
        for received_ns, frame in seen.frames:
            if received_ns >= call.received_ns:
                break
            if received_ns < seen.number_ns:
                continue
            if frame.rate <= 0:
                no_estimate += 1
                continue
            ahead = max(0, seen.number - frame.serving - 1)
            low = ahead * frame.show_share / frame.rate * 60
            high = ahead / frame.rate * 60
            actual = (call.received_ns - received_ns) / 1e9
            errors.append((low + high) / 2 - actual)
            inside += low <= actual <= high
    return {
        "estimates": len(errors),
        "frames_without_estimate": no_estimate,
        "midpoint_abs_error_s": quantiles([abs(e) for e in errors], 1.0, SPREAD),
        "midpoint_signed_error_s_p50": quantiles(errors, 1.0, SPREAD)["p50"],
        "inside_range_share": round(inside / len(errors), 3) if errors else None,
    }


def sold_out_reach(observed: list[Observed]) -> dict:
    """From the first `sold_out` frame any socket read to each waiting socket reading its
    own (the spread over the sockets), and from the server's `at` of that frame."""
    first = sold_out_seen_ns(observed)
    if first is None:
        return {"sold_out": False, "waiting_sockets": 0}
    after_first, after_at = [], []
    for seen in observed:
        heard = first_sold_out(seen)
        if heard is not None and waiting_at(seen, first):
            after_first.append(heard[0] - first)
            after_at.append(heard[0] - heard[1].at_ns)
    return {
        "sold_out": True,
        "waiting_sockets": len(after_first),
        "after_first_socket_ms": quantiles(after_first, 1e-6, SPREAD),
        "after_server_at_ms": quantiles(after_at, 1e-6, SPREAD),
    }


def buyer_counts(observed: list[Observed]) -> dict:
    """What became of the buyers: joined (before or after the on-sale), called, claimed,
    shown their turn, booked; refusals by code."""
    joins = Counter(s.join_code or "not_sent" for s in observed)
    claims = Counter(s.claim_code for s in observed if s.claim_code is not None)
    called = [s for s in observed if call_of(s) is not None]
    claimed = [s for s in observed if s.claimed]
    no_seat = [s for s in claimed if s.seats_booked == 0]
    return {
        "buyers": len(observed),
        "joined": joins.get("ok", 0),
        "joined_pre_queue": sum(1 for s in observed if s.join_code == "ok" and s.late is False),
        "joined_late": sum(1 for s in observed if s.join_code == "ok" and s.late is True),
        "joins_refused": {code: n for code, n in joins.items() if code != "ok"},
        "called": len(called),
        "called_no_shows": sum(1 for s in called if s.no_show),
        "never_called": sum(1 for s in observed if s.join_code == "ok" and call_of(s) is None),
        "claims": dict(claims),
        "claimed": len(claimed),
        "turns_shown": sum(1 for s in observed if s.turn_shown_ns is not None),
        "bought": sum(1 for s in claimed if s.seats_booked),
        "seats_booked": sum(s.seats_booked for s in observed),
        "claimed_no_seat": len(no_seat),
        "claimed_no_seat_share": round(len(no_seat) / len(claimed), 3) if claimed else None,
    }


def queue_figures(observed: list[Observed], on_sale_ns: int) -> dict:
    called = waits(observed, on_sale_ns)
    return {
        **buyer_counts(observed),
        "time_in_queue_s": quantiles([w for _, w, _ in called], 1.0, SPREAD),
        "waits": called,
        "admissions": admissions(frames_read(observed), on_sale_ns),
        "estimate": estimate_error(observed),
        "sold_out_reach": sold_out_reach(observed),
    }


def queue_table(result: dict) -> str:
    """The queue run's table, one figure a row."""
    q, server, verdict = result["queue"], result["server"], result["verdict"]
    adm, est, reach = q["admissions"], q["estimate"], q["sold_out_reach"]
    refused = counts(q["joins_refused"])
    rows = [
        (
            "buyers",
            f"{q['buyers']}: joined {q['joined_pre_queue']} before the on-sale, "
            f"{q['joined_late']} after" + (f" (refused: {refused})" if refused else ""),
        ),
        (
            "called / claimed / booked",
            f"{q['called']} called ({q['called_no_shows']} no-shows), {q['claimed']} claimed, "
            f"{q['turns_shown']} turns shown, {q['bought']} bought {q['seats_booked']} seats; "
            f"{q['never_called']} never called",
        ),
        ("claims", counts(q["claims"]) or "none"),
        ("time in queue", spread(q["time_in_queue_s"], "s")),
        (
            "admissions a minute",
            f"observed (serving over the frames' time) {adm['observed_per_min_whole_sale']} "
            f"over the sale, between frames {spread(adm['observed_per_min_between_frames'], '')}",
        ),
        ("  frames' own rate", spread(adm["frame_rate_per_min"], "a minute")),
        (
            "  calls per tick",
            f"{spread(adm['calls_per_tick'], '')}; {adm['numbers_called']} numbers called, "
            f"the first {adm['first_call_after_on_sale_s']} s after the on-sale",
        ),
        (
            "estimate error",
            f"midpoint |error| {spread(est['midpoint_abs_error_s'], 's')}, signed p50 "
            f"{est['midpoint_signed_error_s_p50']} s, actual inside the range "
            f"{est['inside_range_share']} ({est['frames_without_estimate']} frames without one)",
        ),
    ]
    if reach["sold_out"]:
        rows += [
            (
                "sold out -> waiting sockets",
                f"{reach['waiting_sockets']} sockets: after the first "
                f"{spread(reach['after_first_socket_ms'], 'ms')}",
            ),
            ("  after the frame's `at`", spread(reach["after_server_at_ms"], "ms")),
        ]
    else:
        rows.append(("sold out", "not reached"))
    rows.append(
        (
            "admitted, no seat",
            f"{q['claimed_no_seat']} of {q['claimed']} ({q['claimed_no_seat_share']})",
        )
    )
    if server["pids"]:
        rows.append(
            (
                "server CPU",
                f"{server['cpu_s']} s ({server['cpu_share']} cores) over the run; "
                f"{server['pre_queue_cpu_share']} cores before the on-sale, "
                f"{server['sale_cpu_share']} after",
            )
        )
    v = verdict
    rows.append(
        (
            "verdict figures",
            f"proof {'ok' if not v.get('proof_problems') else 'BAD'}, "
            f"{v.get('numbers_checked')} numbers checked ({v.get('numbers_wrong')} wrong), "
            f"{v.get('admitted_out_of_order')} out of order, join rho {v.get('join_rho')} "
            f"(limit {v.get('join_rho_limit')}, n={v.get('join_rho_entrants')}), "
            f"{v.get('turns_after_sold_out')} turns after sold out, "
            f"{v.get('seats_booked')} seats booked",
        )
    )
    for name, counted in (
        ("buyer notes", result["notes"]),
        ("refusals by code", result["clicks"]["errors_by_code"]),
        ("client-side errors", result["errors"]),
    ):
        if counted:
            rows.append((name, counts(counted)))
    rows.append(("verdict", verdict_line(v)))
    return aligned(rows)
