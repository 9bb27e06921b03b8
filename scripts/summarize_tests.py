"""Adds up the Python counts and the .NET TRX results into the one closing line CI reads: "N passed, N failed, N skipped".

It counts honestly: a test that was listed but never ran (its test host crashed, the run was aborted, the hang blame
collector killed it, or its project left no TRX at all), a failed or aborted run, an unreadable result file and a test
command that failed without naming a failed test all count as failures. Notes on why come first; the line is last.

usage: summarize_tests.py RESULTS_DIR [--python FILE ...] [--expected-tests LIST] [--exit-code NAME=CODE ...]
  FILE is a {passed, failed, skipped} count written by unittest_json.py in RESULTS_DIR (default python.json);
  LIST is the output of `dotnet test --list-tests`: every .NET test that should have a result;
  NAME=CODE is the exit code of a step (e.g. dotnet=1): one that failed while no test did still counts as a failure.
"""
import argparse
import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

# TRX outcomes of one test; xUnit reports a skipped test as NotExecuted *with* a result, so a result is never "not run".
PASSED = {"Passed", "PassedButRunAborted"}
SKIPPED = {"NotExecuted", "Inconclusive", "NotRunnable"}
# A whole run that ended any other way than these did not finish its work.
RUN_OK = {"Completed", "Passed", "Failed", "Warning"}
ABORTED = re.compile(r"abort|crash|exited|cancel", re.IGNORECASE)


def test_key(name):
    """A test's fully qualified method name: a theory's rows, "(query: ...)", are one method."""
    return name.split("(", 1)[0].strip()


def read_expected(path):
    """The test names from `dotnet test --list-tests` output (the indented lines after each 'are available' header)."""
    names, listing = set(), False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "The following Tests are available" in line:
                listing = True
            elif listing and re.match(r"^\s{2,}\S", line):
                names.add(test_key(line))
            elif line.strip():
                listing = False
    return names


def read_trx(path, notes):
    """(outcomes of its results by test name, whether the run itself finished) of one TRX file."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        notes.append(f"{os.path.basename(path)}: unreadable ({e})")
        return None, False
    results = [(r.get("testName", ""), r.get("outcome", "")) for r in root.findall("{*}Results/{*}UnitTestResult")]
    summary = root.find("{*}ResultSummary")
    outcome = summary.get("outcome", "") if summary is not None else ""
    # Run errors also carry the adapter's note of each failed test; only these say the run itself broke.
    aborts = [text for text in (info.findtext("{*}Text", "").strip() for info in root.findall("{*}ResultSummary/{*}RunInfos/{*}RunInfo")
                                if info.get("outcome") == "Error") if ABORTED.search(text)]
    any_failed = any(o not in PASSED | SKIPPED for _, o in results)
    finished = outcome in RUN_OK and not aborts and not (outcome == "Failed" and not any_failed)
    if not finished:
        reason = aborts[0].splitlines()[0] if aborts else f"run outcome {outcome or 'missing'} with no failed test"
        notes.append(f"{os.path.basename(path)}: the run did not finish: {reason}")
    return results, finished


def summarize(folder, python=("python.json",), expected_tests=None, exit_codes=None):
    """Returns (passed, failed, skipped, notes) for the results in folder."""
    passed = failed = skipped = 0
    notes = []

    for name in python:
        try:
            with open(os.path.join(folder, name)) as f:
                counts = json.load(f)
            passed, failed, skipped = passed + counts["passed"], failed + counts["failed"], skipped + counts["skipped"]
        except FileNotFoundError:
            failed += 1
            notes.append(f"{name} missing: those Python tests left no result; counted as 1 failed")
        except (ValueError, KeyError, TypeError, OSError) as e:
            failed += 1
            notes.append(f"{name} unreadable ({e}); counted as 1 failed")

    ran, dotnet_failed, broken_runs = set(), 0, 0
    trx_files = sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True))
    for trx in trx_files:
        results, finished = read_trx(trx, notes)
        if results is None:
            broken_runs += 1
            continue
        broken_runs += not finished
        for name, outcome in results:
            ran.add(test_key(name))
            if outcome in PASSED:
                passed += 1
            elif outcome in SKIPPED:
                skipped += 1
            else:
                dotnet_failed += 1

    if expected_tests is not None:
        never_ran = sorted(expected_tests - ran)
        if never_ran:
            dotnet_failed += len(never_ran)
            shown = ", ".join(never_ran[:5]) + (f" and {len(never_ran) - 5} more" if len(never_ran) > 5 else "")
            notes.append(f"{len(never_ran)} listed tests have no result (never ran); counted as failed: {shown}")
    if not trx_files:
        broken_runs += 1
        notes.append("no TRX file: the .NET run produced no results")
    # A broken run counts even when every test that reported before the break had passed (and no list says what is missing).
    failed += max(dotnet_failed, broken_runs)

    broken = [f"{step} exited with {code}" for step, code in (exit_codes or {}).items() if code != 0]
    if broken and failed == 0:
        failed += 1
        notes.append(f"{', '.join(broken)} but no test failed; counted as 1 failed")
    return passed, failed, skipped, notes


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--python", action="append", help="a unittest_json.py result in the folder (repeatable)")
    parser.add_argument("--expected-tests", help="output of `dotnet test --list-tests`")
    parser.add_argument("--exit-code", action="append", default=[], metavar="NAME=CODE", help="a step's exit code (repeatable)")
    args = parser.parse_args(argv)
    exit_codes = {}
    for item in args.exit_code:
        step, _, code = item.partition("=")
        exit_codes[step] = int(code) if code.lstrip("-").isdigit() else 1
    expected, missing_list = None, False
    if args.expected_tests:
        if os.path.exists(args.expected_tests):
            expected = read_expected(args.expected_tests)
        else:
            missing_list = True
    passed, failed, skipped, notes = summarize(args.folder, args.python or ["python.json"], expected, exit_codes)
    if missing_list:
        failed += 1
        notes.append(f"{args.expected_tests} missing: which tests never ran is unknown; counted as 1 failed")
    for note in notes:
        print(f"summary: {note}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
