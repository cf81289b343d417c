"""ex03: a Lock makes read-modify-write and check-then-act atomic.

Races are made certain, not lucky: the ledger is a rendezvous. A thread that reaches it waits for
the other thread to get there too, so without a lock both threads are always between "read the
balance" and "store the balance" at the same moment. With a lock the other thread can't get in;
the waiting thread notices that and carries on. It notices at once when the other thread is blocked
on one of the account's own locks (the test watches the locks it finds on the account), and after
GRACE otherwise (a lock kept elsewhere), so a correct account is slowed down only a little.
"""

import random
import threading
import time

from awaitlings.testing import fail, load, need

GRACE = 0.15  # how long a thread in the ledger waits for the other one once both are inside the account


class RendezvousLedger:
    def __init__(self, parties: int = 2) -> None:
        self.parties = parties
        self.cond = threading.Condition()
        self.entered = 0
        self.last_entry = 0.0
        self.arrived = 0
        self.blocked = 0  # parties waiting to acquire one of the account's locks (see WatchedLock)
        self.lines: list[str] = []

    def enter(self) -> None:
        """Called by the test's thread just before it calls into the account."""
        with self.cond:
            self.entered += 1
            self.last_entry = time.monotonic()
            self.cond.notify_all()

    def blocking(self, change: int) -> None:
        with self.cond:
            self.blocked += change
            self.cond.notify_all()

    def __call__(self, line: str) -> None:
        with self.cond:
            self.lines.append(line)
            self.arrived += 1
            self.cond.notify_all()
            give_up = time.monotonic() + 3
            while self.arrived < self.parties and time.monotonic() < give_up:
                everyone_inside = self.entered >= self.parties
                if everyone_inside and self.arrived + self.blocked >= self.parties:
                    break  # the others wait for the account's lock, which this thread holds: they can't come
                if everyone_inside and time.monotonic() - self.last_entry > GRACE:
                    break  # the others are inside the account but can't reach the ledger: a lock holds them
                self.cond.wait(0.01)


LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class WatchedLock:
    """Stands in for a lock found on the account: the same lock, but a thread that has to wait for it tells
    the ledger, which then knows at once that the other thread can't reach it (no GRACE to wait out)."""

    def __init__(self, lock, ledger: RendezvousLedger) -> None:
        self._lock = lock
        self._ledger = ledger

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(False):
            return True
        if not blocking:
            return False
        self._ledger.blocking(+1)
        try:
            return self._lock.acquire(True, timeout)
        finally:
            self._ledger.blocking(-1)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def __getattr__(self, name):  # locked(), _is_owned() ...: the real lock's
        return getattr(self._lock, name)


def run_together(*jobs):
    """Run each (ledger, call) job in its own thread, all released at once; return their results in order."""
    results = [None] * len(jobs)
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def runner(i, ledger, call):
        start.wait(timeout=5)
        ledger.enter()
        try:
            results[i] = call()
        except BaseException as error:  # noqa: BLE001 - reported to the learner below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i, *job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    if any(thread.is_alive() for thread in threads):
        fail(
            "The account operations never finished: is a thread waiting for a lock that is never released "
            "(for example withdraw() calling deposit() while holding the same Lock)?"
        )
    if errors:
        fail(f"An account operation raised {type(errors[0]).__name__}: {errors[0]}")
    return results


def make_account(balance):
    Account = need(load("ex03_lock"), "Account", "class")
    ledger = RendezvousLedger()
    account = Account(balance, ledger)
    for name, value in list(vars(account).items()):
        if isinstance(value, LOCK_TYPES):
            setattr(account, name, WatchedLock(value, ledger))
    return account, ledger


def test_when_two_threads_withdraw_at_once_then_the_account_is_never_overdrawn():
    # Two accounts, each with two withdrawals that can't both be covered; both pairs race at the same time.
    rounds = []
    for _ in range(2):
        balance = random.randint(100, 200)
        first, second = random.randint(balance // 2 + 1, balance), random.randint(balance // 2 + 1, balance)
        account, ledger = make_account(balance)
        rounds.append((balance, first, second, account, ledger))
    jobs = []
    for _, first, second, account, ledger in rounds:
        jobs += [(ledger, lambda a=account, x=first: a.withdraw(x)), (ledger, lambda a=account, x=second: a.withdraw(x))]
    results = run_together(*jobs)
    for n, (balance, first, second, account, ledger) in enumerate(rounds):
        taken = results[2 * n : 2 * n + 2]
        if taken.count(True) == 2:
            fail(
                f"Both withdrawals ({first} and {second}) succeeded from a balance of {balance}; the balance "
                f"is now {account.balance}. Both threads passed the balance check before either took the "
                "money: the check and the update must happen under one lock."
            )
        if taken.count(True) != 1:
            fail(f"Exactly one of the withdrawals of {first} and {second} from {balance} should succeed; got {taken}.")
        expected = balance - (first if taken[0] else second)
        if account.balance != expected:
            fail(f"After withdrawing {first if taken[0] else second} from {balance} the balance should be {expected}, got {account.balance}.")
        if len(ledger.lines) != 1:
            fail(f"The ledger should record the one withdrawal that happened, got {ledger.lines}.")


def test_when_two_threads_deposit_at_once_then_no_deposit_is_lost():
    balance = random.randint(0, 100)
    first, second = random.randint(1, 50), random.randint(51, 99)
    account, ledger = make_account(balance)
    run_together((ledger, lambda: account.deposit(first)), (ledger, lambda: account.deposit(second)))
    want = balance + first + second
    if account.balance != want:
        fail(
            f"Starting at {balance}, deposits of {first} and {second} should give {want}, got {account.balance}: "
            "a deposit was lost. Both threads read the old balance before either stored the new one."
        )


def test_when_a_deposit_and_a_withdrawal_overlap_then_both_count():
    balance = random.randint(50, 100)
    put, take = random.randint(1, 40), random.randint(1, 49)
    account, ledger = make_account(balance)
    taken = run_together((ledger, lambda: account.deposit(put)), (ledger, lambda: account.withdraw(take)))
    want = balance + put - take
    if taken[1] is not True or account.balance != want:
        fail(
            f"Starting at {balance}, a deposit of {put} and a withdrawal of {take} should give {want}, got "
            f"{account.balance}. deposit() and withdraw() must use the same lock, or they can still interleave."
        )
