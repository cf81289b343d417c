"""`python -m awaitlings.grading.gradescope`: what the Gradescope `run_autograder` script calls."""

import sys

from .exports import run_on_gradescope

if __name__ == "__main__":
    sys.exit(run_on_gradescope())
