"""A bank account shared by several threads (think: request handlers in a threaded web server).

Each operation reads the balance, writes a line to the ledger (slow I/O: a file, a database, an
audit service), then stores the new balance. Between the read and the write another thread can run,
read the same old balance, and one of the two updates is lost. Or both withdrawals pass the check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


# --8<-- [start:account]
class Account:
    def __init__(self, balance: int, ledger: Callable[[str], None]) -> None:
        self.balance = balance
        self.ledger = ledger  # ledger("withdraw 30") records one operation; it may take a while
        # One lock per account, shared by deposit and withdraw: two separate locks would still let
        # a deposit and a withdrawal interleave.
        self._lock = threading.Lock()

    def deposit(self, amount: int) -> None:
        with self._lock:  # read, record and store as one step
            balance = self.balance
            self.ledger(f"deposit {amount}")
            self.balance = balance + amount

    def withdraw(self, amount: int) -> bool:
        """Take `amount` out if the balance covers it; return whether it was taken."""
        with self._lock:  # check-then-act: the check is only true while nobody else can act
            balance = self.balance
            if balance < amount:
                return False
            self.ledger(f"withdraw {amount}")
            self.balance = balance - amount
            return True
# --8<-- [end:account]


if __name__ == "__main__":
    import time
    from concurrent.futures import ThreadPoolExecutor

    account = Account(100, ledger=lambda line: time.sleep(0.01))
    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(account.withdraw, [80, 80, 80, 80]))
    print(f"withdrawals that succeeded: {taken.count(True)}, balance now {account.balance}")
