"""The queue profile (`--profile queue`): a waiting room is a run of its own, from the pre-queue
to sold out, with accounts called in turn and a verdict of its own rather than watchers and
clickers (loadtest/queue_run.py and the queue_* modules beside it)."""

from ..commands import UsageError, share
from ..queue_figures import queue_table
from ..queue_run import queue_run
from . import Profile, register


@register
class Queue(Profile):
    """on an event with a waiting room: --arrivals accounts of --users wait on their sockets,
    claim their turn when called and book with it; --arrive-within, --journey-seats and
    --best-share as for onsale."""

    name = "queue"
    execute = staticmethod(queue_run)
    table = staticmethod(queue_table)

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--pre-queue-share",
            type=share,
            default=0.7,
            help="share of the accounts who join before the on-sale (within --arrive-within "
            "seconds, and drawn); the others join after it, numbered as they come",
        )
        group.add_argument(
            "--late-within",
            type=float,
            default=10.0,
            help="seconds after the on-sale over which the late accounts join, evenly spaced",
        )
        group.add_argument(
            "--no-show-share",
            type=share,
            default=0.1,
            help="share of the accounts who never claim when their number is called",
        )
        group.add_argument(
            "--claim-within",
            type=float,
            default=2.0,
            help="seconds a called account takes to claim its turn, drawn uniformly from 0",
        )
        group.add_argument(
            "--sale-within",
            type=float,
            default=300.0,
            help="the most seconds after the on-sale the run waits for every account to be "
            "called and done (or told sold out); it ends sooner on a room that stalled (seats "
            "free, accounts waiting, nobody called for a claim window and 10 s)",
        )
        group.add_argument(
            "--max-rho",
            type=float,
            default=None,
            help="the verdict's limit on |Spearman rho| of join time against number among the "
            "pre-queue entrants (default: 4 standard errors, 4/sqrt(n-1))",
        )

    @staticmethod
    def prepare(options):
        if options.procs != 1 or options.poll:
            raise UsageError(
                "--profile queue runs in one process (--procs 1), with sockets (no --poll)"
            )
        if not options.users:
            raise UsageError("--profile queue needs --users (one account per arrival)")
        if options.auth == "session":
            raise UsageError(
                "--profile queue shows a bearer token on its sockets: --auth client or bearer"
            )
        options.watchers, options.clickers = 0, options.arrivals
