"""`python manage.py deadletters` lists the tasks that failed for good; `deadletters retry 3 7` (or
`retry --all`) sends them again once the cause is fixed; `deadletters purge` forgets requeued ones."""

from django.core.management.base import BaseCommand, CommandError

from payments.deadletters import requeue
from payments.models import DeadLetter


class Command(BaseCommand):
    help = "List, re-run or purge tasks that failed for good (the dead-letter store)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("list", help="the dead letters not yet requeued (--all: every one)").add_argument(
            "--all", action="store_true")
        retry = sub.add_parser("retry", help="send the tasks again, with the same arguments")
        retry.add_argument("ids", nargs="*", type=int)
        retry.add_argument("--all", action="store_true", help="every dead letter not yet requeued")
        sub.add_parser("purge", help="delete the dead letters that were requeued")

    # --8<-- [start:handle]
    def handle(self, *args, action=None, ids=(), all=False, **options):
        pending = DeadLetter.objects.filter(requeued_at__isnull=True).order_by("id")
        if action in (None, "list"):
            letters = DeadLetter.objects.order_by("id") if all else pending
            for letter in letters:
                requeued = f"  → requeued as {letter.requeued_as}" if letter.requeued_at else ""
                self.stdout.write(f"{letter.id:>4}  {letter.failed_at:%Y-%m-%d %H:%M:%S}  {letter.task}"
                                  f"{tuple(letter.args)}  {letter.error}{requeued}")
            self.stdout.write(f"{letters.count()} dead letter(s)")
        elif action == "retry":
            letters = pending if all else pending.filter(id__in=ids)
            if not all and letters.count() != len(set(ids)):
                raise CommandError(f"not pending dead letters: {sorted(set(ids) - set(letters.values_list('id', flat=True)))}")
            for letter in letters:
                self.stdout.write(f"{letter.id}: {letter.task}{tuple(letter.args)} requeued as {requeue(letter)}")
        elif action == "purge":
            deleted, _ = DeadLetter.objects.filter(requeued_at__isnull=False).delete()
            self.stdout.write(f"{deleted} requeued dead letter(s) deleted")
    # --8<-- [end:handle]
