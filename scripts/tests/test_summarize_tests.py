"""The closing line never says "0 failed" for a run that broke; synthetic TRX files shaped like VSTest's own."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from xml.sax.saxutils import escape

import summarize_tests

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "summarize_tests.py")
ABORTED = "The active test run was aborted. Reason: Test host process crashed"
HANG = ("Data collector 'Blame' message: The specified inactivity time of 10 minutes has elapsed. "
        "Collecting hang dumps from testhost and its child processes.")


def trx(results, outcome=None, run_infos=()):
    """A TRX as VSTest writes it: results, their definitions, and a summary with counters and run messages."""
    rows = "".join(f'<UnitTestResult executionId="e{i}" testId="t{i}" testName="{escape(name, {chr(34): "&quot;"})}" '
                   f'outcome="{result}" />' for i, (name, result) in enumerate(results))
    defs = "".join(f'<UnitTest name="{escape(name, {chr(34): "&quot;"})}" storage="/x/OpenMcpChain.Tests.dll" id="t{i}">'
                   f'<Execution id="e{i}" /></UnitTest>' for i, (name, _) in enumerate(results))
    passed = sum(r == "Passed" for _, r in results)
    failed = sum(r == "Failed" for _, r in results)
    outcome = outcome or ("Failed" if failed else "Completed")
    infos = "".join(f'<RunInfo computerName="vm" outcome="{level}"><Text>{escape(text)}</Text></RunInfo>' for level, text in run_infos)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">'
            f"<Results>{rows}</Results><TestDefinitions>{defs}</TestDefinitions>"
            f'<ResultSummary outcome="{outcome}"><Counters total="{len(results)}" executed="{len(results)}" '
            f'passed="{passed}" failed="{failed}" error="0" timeout="0" aborted="0" notExecuted="0" />'
            f"<RunInfos>{infos}</RunInfos></ResultSummary></TestRun>")


def listing(*names):
    """What `dotnet test --list-tests` prints."""
    return ("Test run for /x/OpenMcpChain.Tests.dll (.NETCoreApp,Version=v10.0)\n"
            "The following Tests are available:\n" + "".join(f"    {n}\n" for n in names))


class SummarizeTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = self.tmp.name
        self.python(passed=3, failed=0, skipped=1)

    def tearDown(self):
        self.tmp.cleanup()

    def python(self, name="python.json", **counts):
        with open(os.path.join(self.folder, name), "w") as f:
            json.dump(counts, f)

    def write(self, name, text):
        path = os.path.join(self.folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_script(self, *args):
        done = subprocess.run([sys.executable, SCRIPT, self.folder, *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, done.returncode, done.stderr)
        return done.stdout.splitlines()

    def counts(self, *args):
        last = self.run_script(*args)[-1]
        passed, failed, skipped = (int(part.split()[0]) for part in last.split(", "))
        self.assertEqual(f"{passed} passed, {failed} failed, {skipped} skipped", last)
        return passed, failed, skipped

    def test_a_clean_run_adds_python_and_dotnet_counts_and_skips(self):
        self.write("run.trx", trx([("A.One", "Passed"), ("A.Two", "Passed"), ("A.Skipped", "NotExecuted")]))
        self.write("list.txt", listing("A.One", "A.Two", "A.Skipped"))
        self.assertEqual((5, 0, 2), self.counts("--expected-tests", os.path.join(self.folder, "list.txt"), "--exit-code", "dotnet=0"))

    def test_failed_tests_are_counted_once_each(self):
        self.write("run.trx", trx([("A.One", "Passed"), ("A.Two", "Failed"), ("A.Three", "Error")],
                                  run_infos=[("Error", "[xUnit.net 00:00:00.36]     A.Two [FAIL]")]))
        self.assertEqual((4, 2, 1), self.counts("--exit-code", "dotnet=1"))

    def test_a_crashed_test_host_with_only_passed_results_shows_failures(self):
        # What VSTest writes when the host dies: the results so far, all passed, and the abort as a run message.
        self.write("run.trx", trx([("A.One", "Passed")], outcome="Failed", run_infos=[("Error", ABORTED + " : Process terminated.")]))
        passed, failed, _ = self.counts()
        self.assertEqual(4, passed)
        self.assertGreaterEqual(failed, 1)

    def test_a_hang_killed_by_the_blame_collector_counts_the_tests_that_never_ran(self):
        self.write("run.trx", trx([("Z.A", "Passed"), ("Z.B", "Passed")], outcome="Failed",
                                  run_infos=[("Error", ABORTED), ("Warning", HANG)]))
        self.write("list.txt", listing("Z.A", "Z.B", "A.Hangs", "A.After", "A.Skipped"))
        self.assertEqual((5, 3, 1), self.counts("--expected-tests", os.path.join(self.folder, "list.txt"), "--exit-code", "dotnet=1"))

    def test_a_run_that_failed_without_a_failed_result_is_not_green(self):
        self.write("run.trx", trx([("A.One", "Passed")], outcome="Failed"))
        self.assertEqual(1, self.counts()[1])

    def test_an_aborted_run_outcome_is_a_failure(self):
        self.write("run.trx", trx([("A.One", "Passed")], outcome="Aborted"))
        self.assertEqual(1, self.counts()[1])

    def test_listed_tests_without_a_result_count_as_failed_and_theory_rows_are_one_test(self):
        self.write("run.trx", trx([('B.Theory(query: "limit=0")', "Passed"), ('B.Theory(query: "limit=1")', "Passed"), ("B.One", "Passed")]))
        self.write("list.txt", listing('B.Theory(query: "limit=0")', "B.One", "B.NeverRan", "B.AlsoNeverRan"))
        self.assertEqual((6, 2, 1), self.counts("--expected-tests", os.path.join(self.folder, "list.txt")))

    def test_a_test_project_that_left_no_trx_counts_its_listed_tests_as_failed(self):
        self.write("one/run.trx", trx([("One.A", "Passed")]))
        self.write("list.txt", listing("One.A") + listing("Two.A", "Two.B").replace("OpenMcpChain.Tests", "Other.Tests"))
        self.assertEqual((4, 2, 1), self.counts("--expected-tests", os.path.join(self.folder, "list.txt")))

    def test_no_trx_at_all_is_a_failure(self):
        self.assertEqual((3, 1, 1), self.counts())

    def test_a_truncated_trx_is_a_failure(self):
        self.write("run.trx", trx([("A.One", "Passed")])[:120])
        self.assertEqual(1, self.counts()[1])

    def test_missing_python_results_and_a_missing_test_list_are_failures(self):
        self.write("run.trx", trx([("A.One", "Passed")]))
        os.remove(os.path.join(self.folder, "python.json"))
        self.assertEqual((1, 2, 0), self.counts("--expected-tests", os.path.join(self.folder, "nowhere.txt")))

    def test_several_python_results_add_up_and_each_must_exist(self):
        self.write("run.trx", trx([("A.One", "Passed")]))
        self.python("python-scripts.json", passed=2, failed=1, skipped=0)
        self.assertEqual((6, 1, 1), self.counts("--python", "python.json", "--python", "python-scripts.json"))
        self.assertEqual((4, 1, 1), self.counts("--python", "python.json", "--python", "python-absent.json"))

    def test_a_step_that_failed_while_every_test_passed_is_a_failure(self):
        self.write("run.trx", trx([("A.One", "Passed")]))
        self.assertEqual(0, self.counts("--exit-code", "dotnet=0", "--exit-code", "contracts=0")[1])
        self.assertEqual(1, self.counts("--exit-code", "dotnet=0", "--exit-code", "contracts=1")[1])
        self.assertEqual(1, self.counts("--exit-code", "dotnet=124")[1])

    def test_the_count_line_is_the_last_line_and_notes_say_why(self):
        self.write("run.trx", trx([("A.One", "Passed")], outcome="Failed", run_infos=[("Error", ABORTED)]))
        lines = self.run_script()
        self.assertTrue(any("aborted" in line for line in lines[:-1]), lines)
        self.assertRegex(lines[-1], r"^\d+ passed, [1-9]\d* failed, \d+ skipped$")

    def test_the_expected_list_ignores_everything_but_the_test_names(self):
        path = self.write("list.txt", "  Determining projects to restore...\n" + listing("A.One", 'A.T(x: "a b")') + "\nBuild succeeded.\n")
        self.assertEqual({"A.One", "A.T"}, summarize_tests.read_expected(path))


if __name__ == "__main__":
    unittest.main()
