"""kill -9 at a random moment, then check that nothing was lost or left half-done.

    uv run python bench/crash_harness.py [--trials 100] [--seed N] [--postgres URL] [--time-limit SECONDS]

Each trial copies a prepared data folder, starts one operation as its own process, kills it with
SIGKILL after a random delay, and then checks:

- `PRAGMA integrity_check` is ok (SQLite);
- `rws audit verify` says OK;
- no half-written file is visible under its final name in the output folder (only `.part` files);
- every safe copy on disk has its audit entry, and every export entry has its file, or the rerun
  reports the gap;
- the same operation, run again, completes.

The operations: `rws vet` with safe copies; the window's export path (the batch checked, then exported by
ReviewService.export, as the Export button does); `rws person import` of 2,000 rows; consent edits in a loop;
the first start that creates the database and its key. It prints trials, failures per operation and the
first failure's details. `--postgres URL` runs the same trials against a PostgreSQL database: the prepared
register is made once in a template database beside it, and each trial's database is a fresh copy of that
template (where the account may not create databases, the URL's database is emptied and the register made
again before each trial, which costs about a minute a trial).

Cost not needed for the checks is kept out of each trial: every `rws` process the harness starts (and its
workers) reuses compiled bytecode from a cache in the harness's temporary folder, where the environment would
otherwise have each one compile the app from source (PYTHONDONTWRITEBYTECODE: about 6 s a process).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

import pg_databases

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO.parent / "shared" / "testdata"))
PASSWORD = "crash harness password 1"
CHANNEL = "instagram"
ALL_ROLES = ("--user", "CRS", "user", "roles", "CRS", "--role", "admin", "--role", "office", "--role", "auditor")
CONSENT_LOOP = """
import os, sys
from datetime import date
from rws_desktop.app import App
from rws_desktop.core.kernel.consent import ConsentStatus
app = App.open(sys.argv[1])
app.sign_in("CRS", os.environ["RWS_PASSWORD"])
statuses = [ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN]
for n in range(100000):
    app.register.set_photo_consent(1 + n % 5, "instagram", statuses[n % 2], date.today(), None, "crash loop", False)
"""

# The window's export path, through its services: the batch is checked (vet_batch, as the window's vetting
# jobs run it), then every photo is exported by ReviewService.export, as the Export button does.
EXPORT_RUN = """
import os, sys
from pathlib import Path
from rws_desktop.app import App
from rws_desktop.core.vetting.events import PhotoAnalysed, PhotoFailed
from rws_desktop.core.vetting.review import PhotoReview
app = App.open(sys.argv[1])
app.sign_in("CRS", os.environ["RWS_PASSWORD"])
photos = sorted(Path(sys.argv[2]).iterdir())
events = app.vetting.vet_batch(photos, "instagram")
reviews = [PhotoReview(e.result) for e in events if isinstance(e, (PhotoAnalysed, PhotoFailed))]
review = app.review
outcomes = review.export(reviews, "instagram", Path(sys.argv[3]))
for path, note in review.finished.items():
    print(f"{path.name}: {note}")
for outcome in outcomes:
    print(outcome.written.name if outcome.written else outcome.problem)
app.close()
"""


@dataclass
class Trial:
    operation: str
    delay: float
    problems: list[str] = field(default_factory=list)


def _group_alive(group: int) -> bool:
    """Whether a live (not zombie) process remains in the process group. Reads /proc where there is one."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def bytecode_cached(environment, cache: Path) -> dict:
    """`environment` for child processes that write and reuse compiled bytecode in `cache` (outside the
    repository, so the worktree stays clean), whatever PYTHONDONTWRITEBYTECODE says."""
    child = {key: value for key, value in environment.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**child, "PYTHONPYCACHEPREFIX": str(cache)}


class Harness:
    def __init__(self, work: Path, postgres: str | None):
        self.work = work
        self.postgres = postgres
        self.photos = work / "photos"
        self.template = work / "template"
        # On PostgreSQL: the database the prepared register is made in, copied for each trial (None: replayed).
        self.pg_template: str | None = None
        if postgres and pg_databases.can_create_databases(postgres):
            self.pg_template = pg_databases.with_database(postgres, pg_databases.database_name(postgres) + "_crash_template")

    # -- set-up ---------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.photos.mkdir()
        for name in ("two_people.jpg", "biden.jpg", "obama.jpg"):
            source = TESTDATA / "photos" / name
            if source.is_file():
                shutil.copy(source, self.photos / name)
        people = TESTDATA / "photos" / "people" / "test"
        for source in sorted(people.glob("*.jpg"))[:3] if people.is_dir() else []:
            shutil.copy(source, self.photos / f"people-{source.name}")
        for n in range(2):  # larger plain photos keep the vet busy long enough to be killed mid-write
            Image.effect_noise((2400, 1600), 40 + n).convert("RGB").save(self.photos / f"noise-{n}.jpg", quality=90)
        with open(self.work / "pupils.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["UPN", "Legal Forename", "Legal Surname", "Year", "Reg Group", "DOB"])
            for n in range(2000):
                writer.writerow([f"CR{n:06d}", f"Pupil{n}", f"Crash{n % 97}", 7 + n % 7, f"{7 + n % 7}X", "01/09/2012"])
        self.template.mkdir()
        if self.pg_template:
            pg_databases.recreate(self.pg_template)
        self._make_register(self.template, self.pg_template)

    def _make_register(self, data: Path, url: str | None = None) -> None:
        """The register each trial starts from: the admin with every role, and five people."""
        self._rws(data, "init", "--admin", "CRS", "--name", "Crash Harness", check=True, db=url)
        self._rws(data, *ALL_ROLES, check=True, db=url)
        for n in range(5):
            self._rws(data, "--user", "CRS", "person", "add", "--name", f"Person {n}", check=True, db=url)

    def fresh(self, name: str, empty: bool = False) -> Path:
        """A data folder for one trial: a copy of the prepared one (which holds the key), or an empty one."""
        data = self.work / name
        if empty:
            data.mkdir()
        else:
            replayed = self.postgres and not self.pg_template
            shutil.copytree(self.work / "pg-setup" if replayed else self.template, data)
        return data

    # -- running ----------------------------------------------------------------------------------
    def _env(self, data: Path) -> dict:
        return {**bytecode_cached(os.environ, self.work / "bytecode"), "RWS_DATA_DIR": str(data),
                "RWS_PASSWORD": PASSWORD, "RWS_NEW_PASSWORD": PASSWORD}

    def _db(self, data: Path) -> str:
        return self.postgres or f"sqlite:///{data / 'crash.db'}"

    def _rws(self, data: Path, *args: str, check: bool = False, timeout: float = 1800,
             db: str | None = None) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "rws_desktop.cli", "--db", db or self._db(data), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=self._env(data), timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done

    def command(self, operation: str, data: Path) -> list[str]:
        base = [sys.executable, "-m", "rws_desktop.cli", "--db", self._db(data)]
        if operation == "vet":
            return base + ["--user", "CRS", "vet", str(self.photos), "--channel", CHANNEL, "--out", str(data / "out")]
        if operation == "import":
            return base + ["--user", "CRS", "person", "import", str(self.work / "pupils.csv")]
        if operation == "consent":
            return [sys.executable, "-c", CONSENT_LOOP, self._db(data)]
        if operation == "export":
            return [sys.executable, "-c", EXPORT_RUN, self._db(data), str(self.photos), str(data / "out")]
        if operation == "first_start":
            return base + ["init", "--admin", "CRS", "--name", "Crash Harness"]
        raise ValueError(operation)

    def kill_after(self, trial: Trial, data: Path) -> None:
        """Start the operation in a session of its own, SIGKILL the main process alone (as a crash would), then
        give its worker processes a few seconds to notice and exit; any still alive is a problem, then killed."""
        process = subprocess.Popen(self.command(trial.operation, data), env=self._env(data), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(trial.delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(process.pid):
            time.sleep(0.2)
        if _group_alive(process.pid):
            trial.problems.append("worker processes outlived the killed process by 10 s")
            os.killpg(process.pid, signal.SIGKILL)

    # -- checks -----------------------------------------------------------------------------------
    def check(self, trial: Trial, data: Path) -> None:
        if not self.postgres:
            db = data / "crash.db"
            if db.exists():
                with sqlite3.connect(db) as connection:
                    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
                if result != "ok":
                    trial.problems.append(f"integrity_check: {result}")
        if trial.operation == "first_start":
            rerun = self._rws(data, "init", "--admin", "CRS", "--name", "Crash Harness")
            if rerun.returncode != 0 and "already" not in (rerun.stdout + rerun.stderr):
                trial.problems.append(f"first start after the kill failed: {(rerun.stdout + rerun.stderr).strip()[-300:]}")
            self._rws(data, *ALL_ROLES)
            verify = self._rws(data, "--user", "CRS", "audit", "verify")
            if verify.returncode != 0:
                trial.problems.append(f"audit verify: {(verify.stdout + verify.stderr).strip()[-300:]}")
            return
        verify = self._rws(data, "--user", "CRS", "audit", "verify")
        if verify.returncode != 0:
            trial.problems.append(f"audit verify: {(verify.stdout + verify.stderr).strip()[-300:]}")
        if trial.operation in ("vet", "export"):
            self._check_outputs(trial, data)
        rerun = self._rws(data, *self.command(trial.operation, data)[5:]) if trial.operation in ("vet", "import") else None
        if trial.operation == "export":
            rerun = subprocess.run(self.command("export", data), capture_output=True, text=True, env=self._env(data))
        if trial.operation == "consent":
            rerun = subprocess.run([sys.executable, "-c", CONSENT_LOOP.replace("100000", "3"), self._db(data)],
                                   capture_output=True, text=True, env=self._env(data))
        if rerun.returncode != 0:
            trial.problems.append(f"rerun failed: {(rerun.stdout + rerun.stderr).strip()[-300:]}")
        elif trial.operation in ("vet", "export"):
            trial.problems += self._gaps_not_reported(data, rerun.stdout + rerun.stderr)

    def _vetted_entries(self, data: Path) -> list[dict]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.postgres.replace("postgresql+psycopg", "postgresql")) as connection:
                rows = connection.execute("SELECT content FROM audit_entry ORDER BY seq").fetchall()
        else:
            with sqlite3.connect(data / "crash.db") as connection:
                rows = connection.execute("SELECT content FROM audit_entry ORDER BY seq").fetchall()
        entries = [json.loads(row[0]) for row in rows]
        return [e for e in entries if e.get("kind") == "photo_vetted" and e.get("output_name")]

    def _check_outputs(self, trial: Trial, data: Path) -> None:
        out = data / "out"
        recorded = {e["output_sha256"] for e in self._vetted_entries(data)}
        for path in sorted(out.glob("*")) if out.is_dir() else []:
            if path.name.endswith(".part"):
                continue
            try:
                with Image.open(path) as image:
                    image.load()
            except Exception as exc:  # noqa: BLE001 - any failure to decode is a half-written file
                trial.problems.append(f"half-written file under its final name: {path.name} ({exc})")
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() not in recorded:
                trial.problems.append(f"safe copy without an audit entry: {path.name}")

    def _gaps_not_reported(self, data: Path, rerun_output: str) -> list[str]:
        """Entries recorded before the kill whose file never reached its final name must be reported by the rerun."""
        out = data / "out"
        problems = []
        for entry in self._vetted_entries(data):
            name = entry["output_name"]
            if not (out / name).exists() and name not in rerun_output:
                problems.append(f"export entry for {name} has no file, and the rerun did not say so")
        return problems

    # -- trials ---------------------------------------------------------------------------------
    def reset_postgres(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")

    def run(self, trials: int, seed: int, time_limit: float | None = None) -> int:
        rng = random.Random(seed)
        durations = {"vet": 25.0, "export": 25.0, "import": 20.0, "consent": 15.0, "first_start": 6.0}
        operations = list(durations)
        failures: list[Trial] = []
        counts = {op: [0, 0, 0.0] for op in operations}
        started = time.monotonic()
        ran = 0
        for number in range(trials):
            if time_limit is not None and time.monotonic() - started > time_limit:
                print(f"time limit of {time_limit:.0f} s reached: stopped after {number} of {trials} trials", flush=True)
                break
            ran = number + 1
            trial_started = time.monotonic()
            operation = operations[number % len(operations)]
            trial = Trial(operation, round(rng.uniform(0.5, durations[operation]), 2))
            if self.pg_template:  # a fresh copy of the prepared register, or an empty database for a first start
                pg_databases.recreate(self.postgres, None if operation == "first_start" else
                                      pg_databases.database_name(self.pg_template))
            elif self.postgres:
                self.reset_postgres()
                if operation != "first_start":
                    self._replay_template_on_postgres()
            data = self.fresh(f"trial-{number}", empty=operation == "first_start")
            try:
                self.kill_after(trial, data)
                self.check(trial, data)
            except Exception as exc:  # noqa: BLE001 - the harness reports, never stops
                trial.problems.append(f"harness: {exc}")
            counts[operation][0] += 1
            counts[operation][2] += time.monotonic() - trial_started
            if trial.problems:
                counts[operation][1] += 1
                failures.append(trial)
                print(f"trial {number} {operation} killed at {trial.delay}s: {trial.problems[0]}", flush=True)
            else:  # progress as it goes, for a run that takes most of an hour
                print(f"trial {number} {operation} killed at {trial.delay}s: ok "
                      f"({time.monotonic() - trial_started:.0f} s; {len(failures)} failures so far)", flush=True)
            shutil.rmtree(data, ignore_errors=True)
        for operation, (count, failed, seconds) in counts.items():
            print(f"{operation:<12} {count:>4} trials  {failed:>3} failures  {seconds / max(count, 1):5.1f} s a trial")
        print(f"{'database':<12} {'PostgreSQL' if self.postgres else 'SQLite'}")
        print(f"total        {ran:>4} trials  {len(failures):>3} failures  {time.monotonic() - started:.0f} s")
        if failures:
            first = failures[0]
            print(f"first failure: {first.operation} killed after {first.delay}s:")
            for problem in first.problems:
                print(f"  {problem}")
        return 1 if failures else 0

    def _replay_template_on_postgres(self) -> None:
        """PostgreSQL is emptied before each trial, so the prepared register is made again, with its own key."""
        data = self.work / "pg-setup"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        self._make_register(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--postgres", metavar="URL", help="run against this PostgreSQL database (it is emptied)")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help="start no trial after this long (on a shared machine); the trials run are printed")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rws-crash-"))
    harness = None
    try:
        harness = Harness(work, args.postgres)
        harness.prepare()
        return harness.run(args.trials, args.seed, args.time_limit)
    finally:
        if harness and harness.pg_template:
            pg_databases.drop(harness.pg_template)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
