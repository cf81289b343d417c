"""CPU-bound work for lesson 03 (course-owned): counting primes by trial division, in pure Python.

Every step is Python bytecode, so a thread running it holds the GIL the whole time. Only separate
processes, each with its own interpreter and its own GIL, can run it on several cores at once.
These functions live in a module (not in a notebook cell or a `__main__` script) so that a child
process started with *spawn* can import them by name.
"""

from __future__ import annotations


# --8<-- [start:count_primes]
def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 2
    return True


def count_primes(start: int, stop: int) -> int:
    """How many primes p with start <= p < stop."""
    return sum(1 for n in range(start, stop) if is_prime(n))
# --8<-- [end:count_primes]


def count_primes_below(n: int) -> int:
    return count_primes(0, n)
