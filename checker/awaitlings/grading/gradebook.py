"""What a grading run leaves in `--out DIR`:

    grades.csv                      one row per submission: a column per lesson, total, max, flags
    exercises.csv                   the same, a column per exercise
    tests.csv                       per test: class pass rate and the most common failure
    report.md                       the readable report: overview, flagged submissions, hardest tests
    run.json                        how the run was made: versions, sandbox, limits, timings
    <submission>/<lesson>/results.json     Gradescope results.json, learner-facing (hidden tests redacted)
    <submission>/<lesson>/instructor.json  everything: details, captured output, flags and their reasons
    <submission>/feedback.md        the learner's feedback for all graded lessons (hidden tests redacted)"""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from .execute import FLAG_HELP

HIDDEN_OUTPUT = "Hidden test: its details are not shown."


def _num(value: float) -> str:
    return f"{value:g}"


def _first_line(text: str, limit: int = 160) -> str:
    line = next((l.strip() for l in text.strip().splitlines() if l.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def gradescope_results(result: dict, learner: bool = True) -> dict:
    """Gradescope's results.json for one (submission, lesson), shaped like `awaitlings check --json`
    (same test names and point shares), plus visibility for hidden tests."""
    tests = []
    for ex in result["exercises"]:
        if ex["problem"] or not ex["tests"]:
            tests.append({"name": ex["id"], "score": 0.0, "max_score": ex["max_score"], "status": "failed",
                          "output": ex["problem"] if not learner or "Integrity" not in ex["problem"]
                          else "This lesson could not be graded automatically; your instructor will review it.",
                          "visibility": "visible", "tags": [ex["id"]]})
            continue
        counted = [t for t in ex["tests"] if t["outcome"] != "skipped"] or ex["tests"]
        share = ex["max_score"] / len(counted)
        hidden_number = 0
        for test in ex["tests"]:
            passed = test["outcome"] == "passed"
            entry = {
                "name": f"{ex['id']} › {test['name']}",
                "score": round(share if passed else 0.0, 4),
                "max_score": round(share, 4) if test["outcome"] != "skipped" else 0.0,
                "status": "passed" if passed else "failed",
                "output": "" if passed else test["message"],
                "visibility": "visible",
                "tags": [ex["id"]],
            }
            if test.get("hidden"):
                hidden_number += 1
                entry["visibility"] = "after_published"
                if learner:
                    entry["name"] = f"{ex['id']} › hidden test {hidden_number}"
                    entry["output"] = HIDDEN_OUTPUT
            if not learner and not passed and (test.get("details") or test.get("output")):
                entry["extra_data"] = {"details": test.get("details", ""), "captured": test.get("output", "")}
            tests.append(entry)
    out = {
        "lesson": result["lesson"],
        "score": result["score"],
        "max_score": result["max_score"],
        "execution_time": round(result.get("elapsed", 0.0), 2),
        "output": "",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"lesson": result["lesson"], "submission": result["submission"]},
    }
    if not learner:
        out["extra_data"].update({"flags": result["flags"], "flag_details": result["flag_details"],
                                  "notes": result.get("notes", {}), "sandbox": result.get("sandbox"),
                                  "attempts": result.get("attempts"), "key": result.get("key")})
        if result["flags"]:
            out["output"] = "Flags: " + "; ".join(f"{f}: {result['flag_details'].get(f, '')}" for f in result["flags"])
    return out


def feedback_markdown(name: str, results: list[dict]) -> str:
    lines = [f"# Feedback for {name}", ""]
    for result in results:
        lines.append(f"## {result['lesson']} — {_num(result['score'])}/{_num(result['max_score'])}")
        lines.append("")
        for ex in result["exercises"]:
            mark = "✓" if ex["passed"] else "✗"
            lines.append(f"- {mark} **{ex['id']}** {_num(ex['score'])}/{_num(ex['max_score'])} — {ex['title']}")
            if ex["problem"]:
                message = ex["problem"] if "Integrity" not in ex["problem"] else \
                    "This lesson could not be graded automatically; your instructor will review it."
                lines.append(f"  - {_first_line(message, 400)}")
                continue
            for test in ex["tests"]:
                if test["outcome"] == "passed":
                    continue
                if test.get("hidden"):
                    lines.append(f"  - a hidden test {test['outcome']}")
                else:
                    lines.append(f"  - `{test['name']}`: {_first_line(test['message'] or test['outcome'], 400)}")
        lines.append("")
    return "\n".join(lines)


def write_gradebook(out: Path, course, submissions: list, lessons: list, results: dict, run_info: dict) -> None:
    """`results[(submission name, lesson slug)]` -> result dict."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in submissions:
        mine = [results[(sub.name, lesson.slug)] for lesson in lessons if (sub.name, lesson.slug) in results]
        for result in mine:
            folder = out / sub.name / result["lesson"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "results.json").write_text(json.dumps(gradescope_results(result, learner=True), indent=2))
            (folder / "instructor.json").write_text(json.dumps(result, indent=2))
        (out / sub.name).mkdir(parents=True, exist_ok=True)
        (out / sub.name / "feedback.md").write_text(feedback_markdown(sub.name, mine))

    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *[lesson.slug for lesson in lessons], "total", "max", "flags"])
        for sub in submissions:
            row, total, maximum, flags = [sub.name], 0.0, 0.0, []
            for lesson in lessons:
                result = results.get((sub.name, lesson.slug))
                if result is None:
                    row.append("")
                    continue
                row.append(_num(result["score"]))
                total += result["score"]
                maximum += result["max_score"]
                if result["flags"]:
                    flags.append(f"{lesson.number}: {', '.join(result['flags'])}")
            writer.writerow([*row, _num(round(total, 2)), _num(maximum), "; ".join(flags)])

    with open(out / "exercises.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        columns = [(lesson.slug, ex.id) for lesson in lessons for ex in lesson.exercises]
        writer.writerow(["submission", *[f"{slug}/{ex_id}" for slug, ex_id in columns]])
        for sub in submissions:
            row = [sub.name]
            for slug, ex_id in columns:
                result = results.get((sub.name, slug))
                ex = next((e for e in result["exercises"] if e["id"] == ex_id), None) if result else None
                row.append(_num(ex["score"]) if ex else "")
            writer.writerow(row)

    summary = test_summary(lessons, results)
    with open(out / "tests.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lesson", "exercise", "test", "hidden", "passed", "failed", "skipped", "pass_rate",
                         "most_common_failure", "times"])
        for row in summary:
            writer.writerow([row["lesson"], row["exercise"], row["test"], int(row["hidden"]), row["passed"],
                             row["failed"], row["skipped"], f"{row['pass_rate']:.2f}", row["common_failure"],
                             row["common_count"]])

    (out / "report.md").write_text(report_markdown(submissions, lessons, results, summary, run_info))
    (out / "run.json").write_text(json.dumps(run_info, indent=2))


def test_summary(lessons: list, results: dict) -> list[dict]:
    """Per test, over the class: how many passed, and what the failures most often said (otter #885)."""
    rows = []
    for lesson in lessons:
        stats: dict[str, dict] = {}
        order: list[str] = []
        for (sub_name, slug), result in results.items():
            if slug != lesson.slug or "tampered" in result["flags"]:
                continue
            for ex in result["exercises"]:
                for test in ex["tests"]:
                    key = test["nodeid"]
                    if key not in stats:
                        order.append(key)
                        stats[key] = {"lesson": lesson.slug, "exercise": ex["id"], "test": test["name"],
                                      "hidden": test.get("hidden", False), "passed": 0, "failed": 0, "skipped": 0,
                                      "messages": Counter()}
                    stats[key][test["outcome"] if test["outcome"] in ("passed", "skipped") else "failed"] += 1
                    if test["outcome"] == "failed":
                        stats[key]["messages"][_first_line(test["message"], 120)] += 1
        for key in order:
            row = stats.pop(key)
            counted = row["passed"] + row["failed"]
            row["pass_rate"] = row["passed"] / counted if counted else 0.0
            common = row.pop("messages").most_common(1)
            row["common_failure"], row["common_count"] = common[0] if common else ("", 0)
            rows.append(row)
    return rows


def report_markdown(submissions: list, lessons: list, results: dict, summary: list[dict], run_info: dict) -> str:
    lines = ["# Grading report", ""]
    lines.append(f"{len(submissions)} submissions × {len(lessons)} lessons · {run_info.get('jobs_run', 0)} graded, "
                 f"{run_info.get('jobs_cached', 0)} from cache, {run_info.get('jobs_deduplicated', 0)} identical "
                 f"hand-ins graded once · {run_info.get('elapsed', 0):.1f} s · backend {run_info.get('backend')} · "
                 f"sandbox {run_info.get('sandbox')}")
    for warning in run_info.get("warnings", []):
        lines.append(f"\n> **Warning:** {warning}")
    lines += ["", "## Scores", "", "| lesson | mean | median | min | max | full marks |", "|---|---|---|---|---|---|"]
    for lesson in lessons:
        scores = [r["score"] for (s, slug), r in results.items() if slug == lesson.slug]
        if not scores:
            continue
        full = sum(1 for (s, slug), r in results.items() if slug == lesson.slug and r["score"] >= r["max_score"] > 0)
        lines.append(f"| {lesson.slug} (/{_num(lesson.max_score)}) | {statistics.mean(scores):.2f} | "
                     f"{_num(statistics.median(scores))} | {_num(min(scores))} | {_num(max(scores))} | "
                     f"{full}/{len(scores)} |")
    flagged = [(sub, lesson, results[(sub.name, lesson.slug)]) for sub in submissions for lesson in lessons
               if (sub.name, lesson.slug) in results and results[(sub.name, lesson.slug)]["flags"]]
    lines += ["", f"## Flagged ({len(flagged)})", ""]
    if flagged:
        lines += ["| submission | lesson | score | flags | why |", "|---|---|---|---|---|"]
        for sub, lesson, result in flagged:
            why = "; ".join(f"{f}: {result['flag_details'].get(f, '')}" for f in result["flags"])
            why = why.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {sub.name} | {lesson.number} | {_num(result['score'])}/{_num(result['max_score'])} | "
                         f"{', '.join(result['flags'])} | {why[:300]} |")
        lines += ["", "What the flags mean:", ""]
        used = sorted({f for _, _, r in flagged for f in r["flags"]})
        lines += [f"- **{f}**: {FLAG_HELP.get(f, '')}" for f in used]
    else:
        lines.append("Nothing to review.")
    lines += ["", "## Tests, hardest first", "", "| lesson | test | pass rate | most common failure |",
              "|---|---|---|---|"]
    for row in sorted(summary, key=lambda r: (r["pass_rate"], r["lesson"])):
        name = f"{row['exercise']} › {row['test']}" + (" (hidden)" if row["hidden"] else "")
        failure = row["common_failure"].replace("|", "\\|")
        if row["common_count"]:
            failure += f" (×{row['common_count']})"
        lines.append(f"| {row['lesson'][:2]} | {name} | {row['passed']}/{row['passed'] + row['failed']} | {failure} |")
    slow = sorted(results.values(), key=lambda r: -r.get("elapsed", 0.0))[:5]
    if slow:
        lines += ["", "## Slowest runs", ""]
        lines += [f"- {r['submission']} · {r['lesson']}: {r.get('elapsed', 0):.1f} s"
                  + (f" ({', '.join(r['flags'])})" if r["flags"] else "") for r in slow]
    return "\n".join(lines) + "\n"
