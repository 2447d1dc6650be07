"""Instructions from the interpreter's start to the first frame, ours against bare Textual, under callgrind.

    python benchmarks/paint_instructions.py --bench ../shared/bench [--feeds 50] [--items 200] [--other COMMAND]

Wall figures on a shared machine move with its load; an instruction count does not (to ~0.2 %). Each
command runs in tmux (120×40) under ``valgrind --tool=callgrind`` and exits as soon as a frame holding
the newest story's title is written (``LinuxDriver.write`` is wrapped here, nothing else), so what is
counted is what the first paint costs: imports, the store's reads, composing, styling, rendering. The
main thread's count is the figure (Textual's input and output threads idle meanwhile). Our store is
the harness's FEEDS × ITEMS stories stored by a headless ``fetch``, as in ``first_paint.py``.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKER = "S0-0 "


def first_frame(argv: list[str]) -> None:
    """Run the Python program ``argv`` (a script or console script) and end the process when it writes a frame
    holding MARKER."""
    from textual.drivers.linux_driver import LinuxDriver

    write = LinuxDriver.write

    def write_then_exit(self: LinuxDriver, data: str) -> None:
        write(self, data)
        if MARKER in data:
            os._exit(0)

    LinuxDriver.write = write_then_exit  # type: ignore[method-assign]
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")


def count(argv: list[str], work: Path, python: str = sys.executable) -> int:
    """Main-thread instructions of ``argv``, run by ``python``, up to its first frame."""
    out = work / f"cg-{time.monotonic_ns()}"
    runner = [python, str(Path(__file__).resolve()), "--first-frame", *argv]
    valgrind = ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--log-file={out}.log"]
    command = [*valgrind, f"--callgrind-out-file={out}", *runner]
    session = f"pi-{os.getpid()}-{out.name}"
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "120",
            "-y",
            "40",
            "TERM=xterm PYTHONHASHSEED=0 " + shlex.join(command),
        ],
        check=True,
    )
    while subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
        time.sleep(0.5)
    main = Path(f"{out}-01")
    summary = next(line for line in main.read_text().splitlines() if line.startswith("summary:"))
    return int(summary.split()[1])


def main() -> None:
    if sys.argv[1:2] == ["--first-frame"]:
        first_frame(sys.argv[2:])
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from first_paint import generate, run, serve

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, required=True, help="the shared harness directory (../shared/bench)")
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--other", help="another tui-reader console script (Python) to count alongside ours")
    args = ap.parse_args()
    bench = args.bench.resolve()
    tui = str(Path(sys.executable).with_name("tui-reader"))
    work = Path(tempfile.mkdtemp(prefix="tui-reader-instructions-"))
    port = generate(bench, work / "www", args.feeds, args.items)
    server = serve(work / "www", port)
    try:
        time.sleep(0.5)
        run(tui, "--home", str(work / "stored"), "import-opml", str(work / "www" / "feeds.opml"))
        run(tui, "--home", str(work / "stored"), "fetch", "--plain")
        server.terminate()

        def ours(script: str) -> list[str]:
            home = work / "home"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(work / "stored", home)
            return [script, "--home", str(home)]

        figures = {"bare Textual": count([str(bench / "bare_textual.py")], work), "ours": count(ours(tui), work)}
        if args.other:
            # its own interpreter (the script's #! line), else it would import our checkout, not its own
            figures["other"] = count(ours(args.other), work, Path(args.other).read_text().split("\n", 1)[0][2:].strip())
        bare = figures["bare Textual"]
        print(f"{args.feeds * args.items} stories; main-thread instructions to the first frame:")
        for name, n in figures.items():
            print(f"  {name:<13} {n / 1e6:8.1f} M  {n / bare:.2f}× bare")
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
