"""Several `rws` processes writing to one database at once: one straight chain, no lost write, no error.

    uv run python bench/concurrency.py [--processes 4] [--writes 500]                  # SQLite
    uv run python bench/concurrency.py --postgres URL [--processes 8] [--writes 500]   # PostgreSQL

Each process signs in as its own account and makes `--writes` writes, alternating a consent change for
a person of its own and the vetting of a small photo with a safe copy, through the same services as the
window and the command line. Afterwards the harness checks that:

- every process finished with no error shown (a "database is locked" would count);
- the audit chain verifies, with exactly one entry per write on top of the set-up entries;
- every process's writes are all in the log (none lost), and each consent row holds its last value.

It prints the set-up time, then processes, writes, seconds, writes per second, errors, lost writes and the
chain result.

On PostgreSQL the run uses a fresh database made beside the one named (`<name>_concurrency`, dropped
afterwards) when the account may create databases, so the URL's own database is left as it was; otherwise
the named database is used and should be empty. Every process started reuses compiled bytecode from a cache
in the temporary folder (an environment with PYTHONDONTWRITEBYTECODE would have each compile the app anew).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

import pg_databases
from crash_harness import bytecode_cached

PASSWORD = "concurrency password 1"
WRITER = r"""
import json, os, sys, traceback
from datetime import date
from pathlib import Path
from rws_desktop.app import App
from rws_desktop.core.kernel.consent import ConsentStatus
url, initials, person, writes, photo, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]), Path(sys.argv[6])
app = App.open(url, workers=1)
app.sign_in(initials, os.environ["RWS_PASSWORD"])
errors, done, last = [], 0, None
statuses = [ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN]
for n in range(writes):
    try:
        if n % 2 == 0:
            last = statuses[(n // 2) % 2]
            app.register.set_photo_consent(person, "instagram", last, date.today(), None, f"writer {initials}", False)
        else:
            # A folder per write: vetting the same photo into a folder already holding its safe copy is
            # reported as already done and writes nothing, which would not be a write.
            app.vetting.vet([photo], "instagram", out / str(n))
        done += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
app.close()
print(json.dumps({"initials": initials, "person": person, "done": done, "errors": errors, "last": last.value if last else None}))
"""

# The database, the first admin, and the writers' accounts and people, made in one process through the services
# `rws init --admin`, `rws user roles`, `rws person add`, `rws user add`, `rws user passwd` and `rws channels admins`
# call (27 `rws` processes, one a step, cost about 110 s of set-up for 8 writers at load 6 to 11; the 32 password
# hashes and checks are most of what is left). Prints one JSON line: [[initials, person id], ...].
SETUP = r"""
import json, os, sys
from rws_desktop.app import App
from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.ports import NewPerson
url, admin, processes = sys.argv[1], sys.argv[2], int(sys.argv[3])
password, temporary = os.environ["RWS_PASSWORD"], "temporary password 1"
app = App.open(url, workers=1)
app.sign_ins.create_first_admin(admin, "Concurrency Admin", password)
app.sign_in(admin, password)
app.accounts.set_roles(admin, ["admin", "office", "auditor"])
writers = []
for n in range(processes):
    initials = "W" + chr(ord("A") + n)  # staff initials are letters only
    person = app.register.add_person(NewPerson(name=f"Writer Person {n}", kind=PersonKind.PUPIL))
    app.accounts.add_account(initials, f"Writer {n}", ["office", "comms"], temporary)
    writers.append([initials, person.id])
# Vetting for a channel is for its admins (the school's policy): the writers become Instagram's admins.
app.channel_admins.set_admins("instagram", [initials for initials, _person in writers])
for initials, _person in writers:  # each changes the temporary password at the first sign-in, as `rws user passwd` does
    app.sign_in(initials, temporary)
    app.accounts.change_own_password(password)
app.close()
print(json.dumps(writers))
"""


def _env(data: Path) -> dict:
    return {**bytecode_cached(os.environ, data.parent / "bytecode"), "RWS_DATA_DIR": str(data), "RWS_PASSWORD": PASSWORD,
            "RWS_NEW_PASSWORD": PASSWORD}


def _entry_count(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        return connection.execute("SELECT count(*) FROM audit_entry").fetchone()[0]


def _consent_of(url: str, person: int) -> str | None:
    query = "SELECT status FROM photo_consent WHERE person_id = {} AND channel = 'instagram'"
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            row = connection.execute(query.format(int(person))).fetchone()
    else:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
            row = connection.execute(query.format(int(person))).fetchone()
    return row[0] if row else None


def run(url: str, processes: int, writes: int, work: Path) -> int:
    data = work / "data"
    data.mkdir()
    photo = work / "small.jpg"
    # Small, so the run measures contention between writers rather than face detection (a 320 x 240 photo
    # cost about 0.8 s of detection a vet at load 6; this one about 0.13 s). Every vet still goes the whole
    # way: detection, the safe copy written as `.part`, its entry recorded, then the rename.
    Image.effect_noise((64, 48), 30).convert("RGB").save(photo)
    set_up = time.perf_counter()
    made = subprocess.run([sys.executable, "-c", SETUP, url, "CCA", str(processes)], capture_output=True, text=True,
                          env=_env(data))
    if made.returncode != 0:
        raise RuntimeError(f"set-up: {made.stdout}{made.stderr}")
    writers = [(initials, int(person)) for initials, person in json.loads(made.stdout.strip().splitlines()[-1])]
    print(f"set-up       {time.perf_counter() - set_up:.1f} s (the database, {processes} accounts and people)", flush=True)
    before = _entry_count(url)
    started = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", WRITER, url, initials, str(person), str(writes), str(photo),
                                 str(work / f"out-{initials}")], env=_env(data), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for initials, person in writers]
    reports = []
    for process in running:
        stdout, stderr = process.communicate()
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        reports.append(json.loads(lines[-1]) if lines else {"errors": [f"writer died: {stderr.strip()[-300:]}"], "done": 0})
    seconds = time.perf_counter() - started
    # Each write adds one entry; signing in adds one more per process.
    added = _entry_count(url) - before
    expected = sum(r["done"] for r in reports) + processes
    errors = [e for r in reports for e in r["errors"]]
    lost = [f"{r.get('initials')}: consent ended {_consent_of(url, r['person'])}, expected {r['last']}"
            for r in reports if r.get("last") and _consent_of(url, r["person"]) != r["last"]]
    verify = subprocess.run([sys.executable, "-m", "rws_desktop.cli", "--db", url, "--user", "CCA", "audit", "verify"],
                            capture_output=True, text=True, env=_env(data))
    total = processes * writes
    print(f"database     {'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}")
    print(f"processes    {processes} x {writes} writes = {total}")
    print(f"seconds      {seconds:.1f} ({total / seconds:.1f} writes/s)")
    print(f"errors       {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"entries      {added} added, {expected} expected")
    print(f"lost writes  {len(lost) + max(0, total - sum(r['done'] for r in reports))}" + (f" ({lost[0]})" if lost else ""))
    print(f"chain        {verify.stdout.strip() or verify.stderr.strip()}")
    ok = not errors and not lost and added == expected and verify.returncode == 0 and sum(r["done"] for r in reports) == total
    print("result       " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server's database: a fresh one is made beside it "
                        "when the account may, else this one is used (it should then be empty)")
    parser.add_argument("--processes", type=int, default=None, help="default: 8 on PostgreSQL, 4 on SQLite")
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rws-concurrency-"))
    fresh = None
    try:
        url = args.postgres or f"sqlite:///{work / 'shared.db'}"
        if args.postgres and pg_databases.can_create_databases(args.postgres):
            fresh = pg_databases.with_database(args.postgres, pg_databases.database_name(args.postgres) + "_concurrency")
            pg_databases.recreate(fresh)
            url = fresh
        return run(url, args.processes or (8 if args.postgres else 4), args.writes, work)
    finally:
        if fresh:
            pg_databases.drop(fresh)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
