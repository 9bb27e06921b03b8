"""Adds up the Python counts and the .NET TRX counters into the one closing line CI reads."""
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

folder = sys.argv[1]
passed = failed = skipped = 0
python = os.path.join(folder, "python.json")
if os.path.exists(python):
    counts = json.load(open(python))
    passed, failed, skipped = counts["passed"], counts["failed"], counts["skipped"]
trx_files = glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True)
for trx in trx_files:
    counters = ET.parse(trx).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    total = int(counters.get("total", 0))
    p, f = int(counters.get("passed", 0)), int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    passed, failed, skipped = passed + p, failed + f, skipped + max(0, total - p - f)
if not trx_files:
    failed += 1  # the .NET run produced no results at all: count it as a failure, never as green
print(f"{passed} passed, {failed} failed, {skipped} skipped")
