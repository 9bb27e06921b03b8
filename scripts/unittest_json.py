"""Runs `python3 -m unittest` discovery in the current folder and writes the counts as JSON."""
import json
import sys
import unittest

suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
result = unittest.TextTestRunner(verbosity=1).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
with open(sys.argv[1], "w") as f:
    json.dump({"passed": result.testsRun - failed - skipped, "failed": failed, "skipped": skipped}, f)
sys.exit(0 if result.wasSuccessful() else 1)
