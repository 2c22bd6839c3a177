"""Run the data generator, then every bench/bench_*.py as its own subprocess, and print all their result lines.

Usage: python bench/run_all.py [--only NAME ...]   (NAME like core, email_ingest; default: all)
Each script's output is streamed as it runs; at the end the lines that carry a verdict (PASS/FAIL) are repeated
as a summary. Exit status is 1 when any line says FAIL or any script fails.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def run(script: Path) -> tuple[int, list[str], float]:
    """Run one script, echoing its output, and return its exit code, its verdict lines and its duration."""
    started = time.perf_counter()
    verdicts = []
    with subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, bufsize=1) as child:
        assert child.stdout is not None
        for raw in child.stdout:
            text = raw.rstrip("\n")
            print(f"  {text}", flush=True)
            if " PASS" in text or " FAIL" in text:
                verdicts.append(text)
    return child.returncode, verdicts, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="Bench names to run, e.g. core gis.")
    args = parser.parse_args()
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    summary: list[str] = []
    failed: list[str] = []
    for script in [BENCH_DIR / "generate.py", *scripts]:
        print(f"== {script.name}", flush=True)
        code, verdicts, seconds = run(script)
        print(f"== {script.name} finished in {seconds:.0f} s (exit {code})", flush=True)
        summary += verdicts
        if code != 0 or any(" FAIL" in v for v in verdicts):
            failed.append(script.name)
        if code != 0 and not verdicts:
            summary.append(f"{script.stem}: crashed with exit {code} FAIL")
    print("\n== Summary", flush=True)
    for verdict in summary:
        print(verdict)
    print(f"\n{len(scripts)} benchmark scripts; failing: {', '.join(failed) if failed else 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
