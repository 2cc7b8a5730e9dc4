import shutil

from django.core.management.base import BaseCommand, CommandError

from reservations.exports import FORMATS, WHAT, csv_lines, rows_of, xlsx_file
from reservations.models import Event


class Command(BaseCommand):
    help = (
        "Write an event's sales or its ledger as CSV or XLSX (docs/LEDGER.md 'Exports'); "
        "--output - writes CSV to stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", type=int, required=True, help="the event's id")
        parser.add_argument("--what", choices=WHAT, required=True)
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", required=True, help="a file, or - for stdout (CSV only)")

    def handle(self, *args, event, what, format, output, **options):
        if not Event.objects.filter(pk=event).exists():
            raise CommandError(f"There is no event {event}.")
        if output == "-" and format == "xlsx":
            raise CommandError("An XLSX file is binary: give it a file with --output.")
        rows = rows_of(what, event)
        if output == "-":
            self.stdout.ending = ""
            for line in csv_lines(rows):
                self.stdout.write(line)
            return
        try:
            if format == "xlsx":
                with open(output, "wb") as file, xlsx_file(rows, title=what) as workbook:
                    shutil.copyfileobj(workbook, file)
            else:
                with open(output, "w", newline="", encoding="utf-8") as file:
                    file.writelines(csv_lines(rows))
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        self.stderr.write(f"Wrote the {what} of event {event} to {output}.")
