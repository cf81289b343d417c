"""`awaitlings`: list, check, watch, hint, reset, solution, run, doctor, verify, snapshot, grade."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from . import typical_durations, ui, warm
from .i18n import LANGUAGES, _, language, ngettext, set_language
from .course import Course, CourseError, Exercise, Lesson
from .progress import Progress, relpath
from .runner import check_lesson, run_lesson
from .targets import LEARNER, SOLUTIONS, STARTER, starter_files, write_snapshot


def _course() -> Course:
    return Course()


def _pick_lesson(course: Course, progress: Progress, name: str | None) -> Lesson | None:
    if name:
        return course.lesson(name)
    return progress.first_unfinished()


# --- list ----------------------------------------------------------------------------------------------


def cmd_list(args) -> int:
    course = _course()
    progress = Progress(course)
    marks = {"done": ui.TICK, "failing": ui.CROSS, "new": ui.dim("·")}
    current = progress.first_unfinished()
    for lesson in course.lessons:
        done = sum(progress.done(ex) for ex in lesson.exercises)
        arrow = ui.cyan("→") if lesson is current else " "
        print(f"{arrow} {ui.bold(lesson.slug):<40} {ui.bar(done, len(lesson.exercises), 10)} "
              f"{done}/{len(lesson.exercises)}  {ui.dim(lesson.shown_title)}")
        if args.all or lesson is current:
            for ex in lesson.exercises:
                print(f"      {marks[progress.state(ex)]} {ex.id:<28} {ui.dim(ex.shown_title)}")
    done, total = progress.counts()
    print(f"\n  {ui.bar(done, total)} " + _("{done}/{total} exercises").format(done=done, total=total))
    if current:
        print(ui.dim("  " + _("next: awaitlings check {number}").format(number=current.number)))
    return 0


# --- check ---------------------------------------------------------------------------------------------


def _target(args) -> str:
    if getattr(args, "solutions", False):
        return SOLUTIONS
    return getattr(args, "target", None) or LEARNER


def _durations(lesson: Lesson, target: str, progress: Progress) -> dict[str, float]:
    """How long each exercise took at the learner's last check, else how long it typically takes."""
    learned = progress.durations(lesson) if target == LEARNER else {}
    return {**typical_durations.for_lesson(lesson.slug, target), **learned}


def cmd_check(args) -> int:
    course = _course()
    progress = Progress(course)
    lesson = _pick_lesson(course, progress, args.lesson)
    if lesson is None:
        print(ui.green(_("Every exercise is done. 🎉  `awaitlings verify` re-checks everything.")))
        return 0
    target = _target(args)
    exercises = [course.find_exercise(f"{lesson.slug}/{e}").id for e in args.exercise] if args.exercise else None
    if not args.json:
        print(ui.dim(_("Checking {what}…").format(what=lesson.slug)), flush=True)
    status = ui.StatusLine() if not args.json else None
    try:
        result = check_lesson(lesson, target, exercises=exercises, verbose=args.verbose,
                              jobs=args.jobs or lesson.check_jobs,
                              durations=_durations(lesson, target, progress), launch=warm.launcher(warm.start(course.root)),
                              on_status=status, background_cleanup=True)
    finally:
        if status:
            status.close()
    if target == LEARNER:
        progress.record(result)
    if args.json:
        print(json.dumps(ui.gradescope_json(result), indent=2))
    else:
        print(ui.show_lesson_result(result, progress if target == LEARNER else None, args.verbose))
        if result.passed and target == LEARNER and not exercises:
            following = progress.first_unfinished()
            print(ui.green("  " + _("{lesson} complete!").format(lesson=lesson.slug)) + ui.dim(
                "  " + _("Solutions are unlocked: awaitlings solution EXERCISE")))
            if following:
                print(ui.dim("  " + _("next: awaitlings check {number}").format(number=following.number)
                             + f"  ({following.shown_title})"))
    return 0 if result.passed else 1


# --- hint, reset, solution -----------------------------------------------------------------------------


def cmd_hint(args) -> int:
    course = _course()
    progress = Progress(course)
    exercise = _exercise_or_current(course, progress, args.exercise)
    hints = exercise.shown_hints
    if not hints:
        print(_("{exercise} has no hints. Read lessons/{lesson}/README.md.").format(
            exercise=exercise.id, lesson=exercise.lesson.slug))
        return 0
    if args.all:
        for level, text in enumerate(hints, 1):
            print(ui.cyan(_("hint {level}/{total}: ").format(level=level, total=len(hints))) + text)
        return 0
    level, text = progress.next_hint(exercise)
    print(ui.cyan(f"{exercise.id} · " + _("hint {level}/{total}: ").format(level=level, total=len(hints))) + text)
    if level < len(hints):
        print(ui.dim(_("Run it again for the next hint.")))
    return 0


def _exercise_or_current(course: Course, progress: Progress, name: str | None) -> Exercise:
    if name:
        return course.find_exercise(name)
    lesson = progress.first_unfinished()
    exercise = progress.first_unfinished_exercise(lesson) if lesson else None
    if not exercise:
        raise CourseError(_("Every exercise is done: name one, e.g. `awaitlings hint ex01_gather`."))
    return exercise


def cmd_reset(args) -> int:
    course = _course()
    try:
        lesson = course.lesson(args.name)
        exercises = lesson.exercises
    except CourseError:
        exercise = course.find_exercise(args.name)
        lesson, exercises = exercise.lesson, [exercise]
    starters = starter_files(lesson)
    files = [rel for ex in exercises for rel in ex.files]
    changed = [rel for rel in files if _read(lesson.path / rel) != starters[rel]]
    if not changed:
        print(_("Nothing to reset: {files} already match the starter.").format(files=", ".join(files)))
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            print(_("Reset overwrites your work (a backup is kept). Add --yes to confirm."))
            return 2
        answer = input(_("Reset {files} to the starter? A backup is kept. [y/N] ").format(files=", ".join(changed)))
        if answer.strip().lower() not in ("y", "yes", "예", "네"):
            print(_("Nothing changed."))
            return 1
    backup = course.root / ".awaitlings" / "backup" / time.strftime("%Y%m%d-%H%M%S") / lesson.slug
    for rel in changed:
        path = lesson.path / rel
        if path.exists():
            (backup / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, backup / rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starters[rel], encoding="utf-8")
    progress = Progress(course)
    for ex in exercises:
        progress.data["exercises"].pop(ex.key, None)
    progress.save()
    print(_("Reset {files}. Your previous version is in {backup}/").format(
        files=", ".join(changed), backup=relpath(backup, course.root)))
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def cmd_solution(args) -> int:
    from .reader import strip_markers

    course = _course()
    progress = Progress(course)
    exercise = course.find_exercise(args.exercise)
    if not progress.done(exercise):
        # Progress is only a cache: a fresh check decides.
        result = run_lesson(exercise.lesson, LEARNER, exercises=[exercise.id])
        progress.record(result)
    if not progress.done(exercise):
        print(_("{exercise} isn't passing yet, so its solution stays locked.").format(exercise=exercise.id))
        print(ui.dim(_("Try `awaitlings hint {exercise}` — the hints get more specific each time.").format(
            exercise=exercise.id)))
        return 1
    for rel in exercise.files:
        path = exercise.lesson.solution_path / rel
        print(ui.bold(f"# {relpath(path, course.root)}"))
        print(strip_markers(path.read_text(encoding="utf-8")))
    return 0


def cmd_read(args) -> int:
    from .reader import show

    course = _course()
    lesson = _pick_lesson(course, Progress(course), args.lesson)
    if lesson is None:
        print(_("Every lesson is done. Name one to read it again: `awaitlings read 01`."))
        return 0
    return show(lesson, lang=language(), plain=args.plain)


# --- watch ---------------------------------------------------------------------------------------------


def cmd_watch(args) -> int:
    from .watch import watch

    return watch(_course(), args.lesson, poll=args.poll)


# --- run, doctor ---------------------------------------------------------------------------------------


def cmd_run(args) -> int:
    from .project import run_project

    return run_project(_course().lesson(args.lesson), duration=args.duration, target=_target(args))


def cmd_doctor(args) -> int:
    from .doctor import doctor

    return doctor(_course())


def cmd_warm(args) -> int:
    course = _course()
    if args.action == "stop":
        stopped = warm.stop(None if args.all else course.root)
        print(ngettext("Stopped {count} warm server.", "Stopped {count} warm servers.", stopped).format(count=stopped))
        return 0
    if args.action == "start":
        path = warm.start(course.root)
        if path is None:
            print(_("Warm checks are off here (AWAITLINGS_WARM=0, CI, or not Linux): every check starts a fresh Python."))
            return 1
        if not warm.wait_ready(path):
            print(ui.red(_("The warm server did not start; checks still work, only slower.")))
            return 1
    info = warm.status(course.root)
    if not info:
        print(_("No warm server for this course: the next `awaitlings check` starts one."))
        return 0
    idle = _("running") if info["running"] else _("idle")
    print(_("Warm server pid {pid} ({state}), up {seconds} s, {runs} runs, socket {socket}").format(
        pid=info["pid"], state=idle, seconds=f"{time.time() - info['started']:.0f}", runs=info["runs"],
        socket=info["socket"]))
    return 0


# --- verify, snapshot ----------------------------------------------------------------------------------


def cmd_verify(args) -> int:
    from .verify import verify

    course = _course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    return verify(lessons, jobs=args.jobs, strict=args.strict)


def cmd_snapshot(args) -> int:
    course = _course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    for lesson in lessons:
        path = write_snapshot(lesson)
        print(_("wrote {path} ({count} files)").format(path=relpath(path, course.root), count=len(lesson.editable_files)))
    return 0


def cmd_til(args) -> int:
    from .til import til_draft

    course = _course()
    progress = Progress(course)
    lesson = _pick_lesson(course, progress, args.lesson) or course.lessons[-1]
    text = til_draft(lesson, progress)
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.strftime('%Y-%m-%d')}-{lesson.slug}.md"
        path.write_text(text, encoding="utf-8")
        print(_("wrote {path}").format(path=path))
    else:
        print(text)
    return 0


def cmd_grade(args) -> int:
    try:
        from .grading import grade_command
    except ImportError:
        print(_("Batch grading is not available in this version."))
        return 2
    return grade_command(args)


# --- entry point ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="awaitlings", description=_("Hands-on async Python and Django."))
    sub = parser.add_subparsers(dest="command")
    # --lang where a learner reads text: the checker's messages, hints, titles, TIL drafts.
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=LANGUAGES, help=_("language of messages and hints (default: AWAITLINGS_LANG, "
                                                           "then the locale)"))

    p = sub.add_parser("list", parents=[lang], help=_("every lesson and exercise with its state"))
    p.add_argument("--all", action="store_true", help=_("show the exercises of every lesson"))
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", parents=[lang], help=_("grade your files (default: the first unfinished lesson)"))
    p.add_argument("lesson", nargs="?", help=_("number, topic or folder name: 01, sync_vs_async, 01_sync_vs_async"))
    p.add_argument("--solutions", action="store_true", help=_("grade the reference solutions instead"))
    p.add_argument("--target", help=_("grade another folder (a learner's copy of the course)"))
    p.add_argument("--exercise", "-e", action="append", default=[], help=_("only this exercise"))
    p.add_argument("--json", action="store_true", help=_("Gradescope-compatible results on stdout"))
    p.add_argument("--verbose", "-v", action="store_true", help=_("show tracebacks and captured output"))
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help=_("pytest processes to spread the exercises over (default: the lesson's check_jobs)"))
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("watch", parents=[lang], help=_("re-check the current exercise whenever you save"))
    p.add_argument("lesson", nargs="?")
    p.add_argument("--poll", action="store_true", help=_("poll for changes (WSL, network drives, containers)"))
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("hint", parents=[lang], help=_("the next hint for an exercise"))
    p.add_argument("exercise", nargs="?", help=_("exercise id, e.g. ex01_gather (default: the current one)"))
    p.add_argument("--all", action="store_true", help=_("every hint at once"))
    p.set_defaults(func=cmd_hint)

    p = sub.add_parser("reset", help=_("restore an exercise or a whole lesson to its starter"))
    p.add_argument("name", help=_("exercise id or lesson"))
    p.add_argument("--yes", "-y", action="store_true", help=_("don't ask"))
    p.set_defaults(func=cmd_reset)

    p = sub.add_parser("read", parents=[lang],
                       help=_("a lesson's text in the terminal, with its code (default: the current lesson)"))
    p.add_argument("lesson", nargs="?")
    p.add_argument("--plain", action="store_true", help=_("print the Markdown with the code filled in, unrendered"))
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("solution", help=_("the reference solution, once your exercise passes"))
    p.add_argument("exercise")
    p.set_defaults(func=cmd_solution)

    p = sub.add_parser("run", help=_("start the lesson's mini-project on localhost"))
    p.add_argument("lesson")
    p.add_argument("--solutions", action="store_true", help=_("serve the reference solutions"))
    p.add_argument("--duration", type=float, help=_("stop after this many seconds"))
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("warm", help=_("the background Python that makes checks start fast: status, start, stop"))
    p.add_argument("action", nargs="?", choices=["status", "start", "stop"], default="status")
    p.add_argument("--all", action="store_true", help=_("stop: every warm server of yours, for any course"))
    p.set_defaults(func=cmd_warm)

    p = sub.add_parser("doctor", help=_("what is installed and reachable"))
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("verify", help=_("course authors: solutions pass, starters fail, anatomy complete"))
    p.add_argument("lessons", nargs="*")
    p.add_argument("--jobs", "-j", type=int, default=1)
    p.add_argument("--strict", action="store_true", help=_("also fail when starter snapshots are stale (default in CI)"))
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("snapshot", help=_("course authors: record the starters that `reset` restores"))
    p.add_argument("lessons", nargs="*")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("til", parents=[lang], help=_("a Today-I-Learned post draft from your real results"))
    p.add_argument("lesson", nargs="?")
    p.add_argument("--out", help=_("write the draft into this folder instead of printing it"))
    p.set_defaults(func=cmd_til)

    p = sub.add_parser("grade", help=_("instructors: grade many submissions into a gradebook"))
    p.add_argument("submissions", nargs="+", help=_("learners' copies of the course (or a folder of them)"))
    p.add_argument("--out", required=True, help=_("gradebook folder: grades.csv, report.md, results.json per learner"))
    p.add_argument("--lessons", nargs="*", help=_("lessons to grade (default: all)"))
    p.add_argument("--jobs", "-j", type=int, default=2, help=_("submissions graded at once (local backend)"))
    p.add_argument("--backend", choices=["local", "celery"], default="local")
    p.add_argument("--broker", help=_("Celery broker for --backend celery, e.g. redis://host:6379/0"))
    p.add_argument("--sandbox", choices=["auto", "root", "user", "none"], default="auto",
                   help=_("isolation: auto picks the strongest this machine allows"))
    p.add_argument("--wall", type=float, help=_("seconds per (submission, lesson) (default 300)"))
    p.add_argument("--memory", type=int, help=_("MB of writable memory per process (default 3072)"))
    p.add_argument("--processes", type=int, help=_("processes and threads per job (default 256)"))
    p.add_argument("--cache", help=_("result cache folder (default OUT/.cache)"))
    p.add_argument("--no-cache", action="store_true", help=_("grade everything again"))
    p.add_argument("--quiet", "-q", action="store_true", help=_("no progress output"))
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("grade-worker", help=_("instructors: a Celery worker for `grade --backend celery`"))
    p.add_argument("--broker", required=True, help=_("the same broker URL as the grading command's"))
    p.add_argument("--concurrency", "-c", type=int, default=1, help=_("jobs this worker runs at once"))
    p.add_argument("--loglevel", default="WARNING")
    p.set_defaults(func=lambda args: _grading("grade_worker_command", args))

    p = sub.add_parser("gradescope", help=_("instructors: build a Gradescope autograder zip for a lesson"))
    p.add_argument("lesson")
    p.add_argument("--out", help=_("zip file (default gradescope-LESSON.zip)"))
    p.set_defaults(func=lambda args: _grading("gradescope_command", args))

    p = sub.add_parser("classroom", help=_("instructors: a GitHub Classroom workflow running the public tests"))
    p.add_argument("lessons", nargs="*")
    p.add_argument("--out", help=_("workflow file (default .github/workflows/classroom.yml; - for stdout)"))
    p.set_defaults(func=lambda args: _grading("classroom_command", args))
    return parser


def _grading(command: str, args) -> int:
    from . import grading

    return getattr(grading, command)(args)


def _early_lang(argv: list[str]) -> None:
    """Honour --lang before the parser is built, so that --help is in that language too."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        if value in LANGUAGES:
            set_language(value)  # also for the pytest processes a check starts (they inherit it)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    _early_lang(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        args = parser.parse_args(["list"])
    try:
        return args.func(args)
    except CourseError as error:
        print(ui.red(str(error)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `awaitlings check --json | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
