"""awaitlings: the course's checker and the `awaitlings` command. The modules, in the order a check
meets them:

    entry.py        the `awaitlings` command: hands a check to the warm server when it can
    cli.py          the subcommands (list, check, watch, hint, reset, solution, run, doctor, verify, ...)
    paths.py        where the course is
    course.py       the course and its lessons, read through lessonfile.py
    lessonfile.py   lesson.toml, typed (pydantic): every key, its default; unknown keys are errors
    targets.py      whose files are graded: the learner's, the solutions, the starters, a submission
    runner.py       runs a lesson's tests in child pytest processes, kills and restarts past hangs
    protocol.py     the contract runner -> plugin (RunSpec) and plugin -> runner (report events, signing)
    plugin.py       the pytest plugin: reads the spec, maps tests to exercises, time limits, results
    session.py      the run inside the test process (files under test, the report), for plugin and guard
    diagnostics.py  failures explained: blocked loops, stuck tasks, never-awaited coroutines
    leanstack.py    cheaper asyncio debug mode (shorter stack captures)
    testing/        what lesson tests import: load/need/fail, timing checks, servers, Redis, WebSockets
    forkserver.py   preload once, fork per run: shared by warm.py and grading/zygote.py
    warm.py         the learner's warm server (a background Python that forks each check)
    verify.py       `awaitlings verify`: solutions pass, starters fail, every lesson complete
    ui.py, progress.py, watch.py, project.py, doctor.py, til.py   output, progress, watch, run, doctor, TIL
    grading/        instructor batch grading (its own map in grading/__init__.py)

The learner's path (entry, cli, runner, plugin, session, warm, testing) imports nothing from grading;
grading may import from here."""
