"""MIS import speed: 2,000 made-up pupils into an empty register, then the people table on them.

    uv run python bench/import_pupils.py [--pupils 2000] [--db URL]

Writes a SIMS-style CSV export (byte-order mark, Windows line endings, a photo consent column
for about half the pupils) of made-up pupils to a temporary folder, and imports it into a new
SQLite database there (or the empty database `--db` names). Prints the seconds taken to read the
file, preview it, import it (one transaction) and re-import it (which changes nothing), then the
people table's figures: loading its snapshot and filtering and sorting as someone types a name.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from rws_desktop.core.accounts.service import AccountAdminService, SignInService  # noqa: E402
from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.kernel.consent import FaceConsent  # noqa: E402
from rws_desktop.core.register.mis_csv import read_csv  # noqa: E402
from rws_desktop.core.register.mis_import import MisImportService, RowStatus  # noqa: E402
from rws_desktop.core.accounts.passwords import PasswordHashing  # noqa: E402
from rws_desktop.core.register.people_query import PeopleFilter, PeopleSnapshot, SortKey  # noqa: E402
from rws_desktop.paths import channels_file  # noqa: E402
from rws_desktop.storage import open_database  # noqa: E402

TODAY = date(2026, 11, 24)
# Made-up names, combined at random; no real pupil is described.
FORENAMES = ("Ada", "Amir", "Bea", "Cal", "Dot", "Eli", "Fen", "Gus", "Hana", "Ivo", "Jude", "Kit", "Lou", "Mae",
             "Ned", "Ola", "Pip", "Rae", "Sol", "Tam", "Uma", "Vic", "Wren", "Zoë")
SURNAMES = ("Ashby", "Birch", "Castle", "Dorn", "Eyre", "Fox", "Gale", "Hale", "Ince", "Jury", "Kerr", "Lark",
            "Marsh", "Nook", "Orme", "Pike", "Quill", "Reed", "Sand", "Thorn", "Vale", "Wold", "Yew")
HEADER = "Adno,UPN,Legal Surname,Legal Forename,Forename,Year,Reg,DOB,Photo Consent,Consent Date"


def write_export(path: Path, pupils: int, seed: int = 4) -> None:
    rng = random.Random(seed)
    lines = [HEADER]
    for number in range(pupils):
        year = 7 + number % 7
        born = date(TODAY.year - year - 5, 9, 1) + timedelta(days=rng.randrange(365))
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        consent = rng.choice(("Yes", "Yes", "No", "", ""))
        consent_date = "07/09/2026" if consent else ""
        lines.append(
            f"{number + 1:05d},Z{900000000000 + number:012d},{surname},{forename},{forename},Year {year},"
            f"{year}{'ABCDEFG'[number % 7]},{born:%d/%m/%Y},{consent},{consent_date}"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def office_session(database):
    """A throwaway first admin who also holds the office role, signed in."""
    hashing, password = PasswordHashing(), "bench password only"
    sign_ins = SignInService(database, ChannelCatalogue.from_toml(channels_file()), hashing)
    sign_ins.create_first_admin("BEN", "Benchmark", password)
    AccountAdminService(database, hashing, sign_ins.sign_in("BEN", password)).set_roles("BEN", ["admin", "office"])
    return sign_ins.sign_in("BEN", password)


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--db", help="an empty database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rws-import-bench-"))
    export = folder / "sims-export.csv"
    write_export(export, args.pupils)
    database = open_database(args.db or f"sqlite:///{folder / 'rws.sqlite3'}")
    database.migrate()
    service = MisImportService(database, office_session(database))
    print(f"{args.pupils} made-up pupils in {export} ({export.stat().st_size // 1024} KB); database {database.url}")

    table, read_s = timed(lambda: read_csv(export.read_bytes()))
    preview, preview_s = timed(lambda: service.preview(table, None, TODAY))
    result, import_s = timed(lambda: service.import_table(table, None, TODAY))
    again, reimport_s = timed(lambda: service.import_table(table, None, TODAY))
    print(f"read CSV     {read_s:6.3f} s")
    print(f"preview      {preview_s:6.3f} s  ({preview.summary()})")
    print(f"import       {import_s:6.3f} s  ({result.created} added, {result.updated} updated, one transaction)")
    print(f"re-import    {reimport_s:6.3f} s  ({again.created} added, {again.updated} updated; "
          f"{again.preview.count(RowStatus.UNCHANGED)} unchanged)")
    print(f"read + preview + import: {read_s + preview_s + import_s:.3f} s")

    snapshot, load_s = timed(lambda: PeopleSnapshot.load(database, TODAY))
    typed = "ada ashby"
    keystrokes = []
    for length in range(1, len(typed) + 1):
        rows, seconds = timed(lambda text=typed[:length]: snapshot.query(PeopleFilter(text=text, channel="instagram", sort=SortKey.SURNAME)))
        keystrokes.append(seconds)
    everyone, everyone_s = timed(lambda: snapshot.query(PeopleFilter(channel="instagram", sort=SortKey.CONSENT)))
    granted = frozenset({FaceConsent.GRANTED})
    narrowed, _ = timed(lambda: snapshot.query(PeopleFilter(channel="whatsapp", year_group=9, consent=granted)))
    print(f"people table: snapshot {load_s * 1000:.0f} ms; per keystroke typing '{typed}' "
          f"median {statistics.median(keystrokes) * 1000:.1f} ms, worst {max(keystrokes) * 1000:.1f} ms "
          f"(first keystroke works out consent for the channel); all {len(everyone)} rows sorted by consent "
          f"{everyone_s * 1000:.1f} ms; '{typed}' matches {len(rows)}, Year 9 granted on whatsapp {len(narrowed)}")
    database.close()


if __name__ == "__main__":
    main()
