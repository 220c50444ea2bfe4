"""Smoke test of a built bundle, as a school's IT technician would first try it.

    uv run python bundle/smoke.py [--bundle "dist/RWS Photo Check"] [--testdata ../shared/testdata]

In a throwaway data folder, with no settings files and no database address from the environment:
every data file the app reads is in the bundle; `rws --version`; `rws init` with a first admin;
a DPIA, Obama and Biden enrolled with consent; `rws vet` of obama_and_biden.jpg and obama1.jpg in
two worker processes, where Obama and Biden stay visible and the child (lower right) is blurred in
the safe copy; the same of that photo saved as HEIC and as a 2-second H.264 clip; `rws audit verify`; the log file written; and the window starting offscreen and
staying up for 15 seconds. Stops at the first failure, saying what failed and showing the
program's own words. Exit code 0 only when all passed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import BUNDLE, EXE, ROOT, check_bundle  # noqa: E402

ADMIN, PASSWORD = "SMK", "smoke test password 2024"
WINDOW_SECONDS = 15
START_SECONDS = 120  # to reach the log's first line, on a busy CI machine
# The child in obama_and_biden.jpg (2000 x 1428) stands in the lower right, as tests/test_cli.py says.
CHILD_MIN_LEFT, CHILD_MIN_TOP = 1400, 900


class SmokeFailure(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--testdata", type=Path, default=Path(os.environ.get("RWS_TESTDATA", ROOT.parent / "shared" / "testdata")))
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rws-smoke-") as work:
        try:
            Smoke(args.bundle, args.testdata, Path(work)).run()
        except SmokeFailure as failure:
            print(f"\nSMOKE TEST FAILED: {failure}", file=sys.stderr)
            return 1
    print(f"\nSmoke test passed in {time.monotonic() - started:.0f} s.")
    return 0


class Smoke:
    def __init__(self, bundle: Path, testdata: Path, work: Path):
        self.bundle, self.testdata, self.work = bundle, testdata, work
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PYTHON", "RWS_", "QT_")) and k not in ("VIRTUAL_ENV", "LD_LIBRARY_PATH")}
        self.env.update(RWS_DATA_DIR=str(work / "data"), RWS_SITE_CONFIG_DIR=str(work / "site"),
                        RWS_CONFIG_DIR=str(work / "user"), RWS_USER=ADMIN, RWS_PASSWORD=PASSWORD,
                        QT_QPA_PLATFORM="offscreen")

    def run(self) -> None:
        self.step("every data file is in the bundle", self.inventory)
        if not (self.testdata / "photos").is_dir():
            raise SmokeFailure(f"the shared test photos are not at {self.testdata} (pass --testdata or set RWS_TESTDATA)")
        self.step("rws --version", lambda: self.expect(["--version"], "rws "))
        self.step("rws init with a first admin", self.init)
        self.step("a DPIA, and Obama and Biden enrolled with consent", self.enrol)
        self.step("rws vet: the child in obama_and_biden.jpg is blurred", self.vet)
        self.step("rws vet of the same photo as HEIC and as an H.264 clip: the child is blurred in both", self.heic_and_clip)
        self.step("rws audit verify", lambda: self.expect(["audit", "verify"], "OK: verified up to entry"))
        self.step("the log file is written", self.log_file)
        self.step(f"the window starts offscreen and stays up for {WINDOW_SECONDS} s", self.window)

    def step(self, name: str, check) -> None:
        started = time.monotonic()
        print(f"- {name} ...", flush=True)
        check()
        print(f"  ok ({time.monotonic() - started:.1f} s)", flush=True)

    def inventory(self) -> None:
        problems = check_bundle(self.bundle)
        if problems:
            raise SmokeFailure("the bundle is incomplete:\n  " + "\n  ".join(problems))

    def rws(self, args: list[str], **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bundle / ("rws" + EXE)), *args], env={**self.env, **env}, cwd=self.work,
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)

    def expect(self, args: list[str], text: str, **env) -> str:
        done = self.rws(args, **env)
        if done.returncode != 0 or text not in done.stdout:
            raise SmokeFailure(f"`rws {' '.join(args)}` exited {done.returncode}, expected {text!r} in its output."
                               f"\n--- output ---\n{done.stdout}\n--- errors ---\n{done.stderr}")
        return done.stdout

    def init(self) -> None:
        self.expect(["init", "--admin", ADMIN, "--name", "Smoke Test"], "Database ready", RWS_NEW_PASSWORD=PASSWORD)
        roles = [part for role in ("admin", "office", "comms", "auditor") for part in ("--role", role)]
        self.expect(["user", "roles", ADMIN, *roles], "")

    def enrol(self) -> None:
        self.expect(["dpia", "record", "--reference", "DPIA-SMOKE", "--date", str(date.today() - timedelta(days=30)),
                     "--dpo", "Smoke DPO"], "")
        train = self.testdata / "photos" / "people" / "train"
        for name in ("obama", "biden"):
            person = self.expect(["person", "add", "--name", name.title(), "--kind", "staff"], "").strip()
            self.expect(["biometric", "set", person, "--adult-consent", "yes"], "consent is valid")
            self.expect(["consent", "set", person, "--channel", "all", "--status", "granted"], "granted")
            self.expect(["enroll", person, *map(str, sorted((train / name).iterdir()))], "2 of 2 reference faces added")

    def vet(self) -> None:
        test = self.testdata / "photos" / "people" / "test"
        group, out, report = test / "obama_and_biden.jpg", self.work / "safe", self.work / "report.json"
        self.expect(["vet", str(group), str(test / "obama1.jpg"), "--channel", "instagram", "--out", str(out),
                     "--json", str(report), "--workers", "2"], "safe copies in")
        photos = {Path(p["source"]).name: p for p in json.loads(report.read_text(encoding="utf-8"))["photos"]}
        self.check_group(photos[group.name], group, _picture(Path(photos[group.name]["output"])))
        if photos["obama1.jpg"]["decision"] == "error":
            raise SmokeFailure(f"obama1.jpg could not be vetted: {photos['obama1.jpg']}")

    def heic_and_clip(self) -> None:
        """The group photo as an iPhone would save it (HEIC, read through pi-heif) and as a 2-second H.264 clip (read
        and written through PyAV's FFmpeg and x264): Obama and Biden shown, the child blurred in the safe copies."""
        group = self.testdata / "photos" / "people" / "test" / "obama_and_biden.jpg"
        heic, clip = self.work / "group.heic", self.work / "group.mp4"
        _write_heic(group, heic)
        _write_clip(group, clip)
        out, report = self.work / "safe-media", self.work / "media.json"
        self.expect(["vet", str(heic), str(clip), "--channel", "instagram", "--out", str(out), "--json", str(report)],
                    "safe copies in")
        entries = {Path(p["source"]).name: p for p in json.loads(report.read_text(encoding="utf-8"))["photos"]}
        self.check_group(entries[heic.name], group, _picture(Path(entries[heic.name]["output"])))
        vetted = entries[clip.name]
        if vetted["decision"] == "error" or not vetted["output"]:
            raise SmokeFailure(f"{clip.name} could not be vetted: {vetted}")
        self.check_group({**vetted, "faces": vetted["tracks"]}, group, _first_frame(Path(vetted["output"])))

    def check_group(self, vetted: dict, original: Path, safe_copy: Image.Image) -> None:
        """Obama and Biden shown and the child (lower right) blurred in `vetted`'s faces (a photo's) or tracks (a
        clip's), and the child's face at least 4 times less sharp in `safe_copy` than in `original`."""
        faces, name = vetted["faces"], Path(vetted["source"]).name
        shown = {f["person_id"] for f in faces if f["action"] == "shown"}
        child = [f for f in faces if f["box"][0] > CHILD_MIN_LEFT and f["box"][1] > CHILD_MIN_TOP]
        if len(shown) != 2:
            raise SmokeFailure(f"Obama and Biden should both be shown in {name}; shown: {sorted(shown)}; faces: {faces}")
        if not child or any(f["action"] != "blurred" for f in child):
            raise SmokeFailure(f"the child in {name} is not marked blurred: {faces}")
        for face in child:
            before, after = _sharpness(_picture(original), face["box"]), _sharpness(safe_copy, face["box"])
            if not after < before / 4:
                raise SmokeFailure(f"the child's face in the safe copy of {name} is not blurred: sharpness {after:.1f} "
                                   f"against {before:.1f} in the original")
            print(f"  the child's face in {name}: sharpness {before:.1f} in the original, {after:.1f} in the safe copy")

    def log_file(self) -> None:
        log = self.work / "data" / "logs" / "rws.log"
        text = log.read_text(encoding="utf-8") if log.is_file() else ""
        if "rws started" not in text or "(bundle)" not in text:
            raise SmokeFailure(f"{log} does not record the bundle's start-up:\n{text[-2000:]}")
        if "Obama" in text or "Biden" in text:
            raise SmokeFailure(f"{log} names a person")

    def window(self) -> None:
        """Started, the window records its start in the log (it may take a while on a busy PC), then must stay up."""
        log, output = self.work / "data" / "logs" / "rws.log", self.work / "window.txt"
        with open(output, "w", encoding="utf-8") as sink:
            window = subprocess.Popen([str(self.bundle / ("RWS Photo Check" + EXE))], env=self.env, cwd=self.work,
                                      stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + START_SECONDS
                while "The window started" not in log.read_text(encoding="utf-8") and window.poll() is None:
                    if time.monotonic() > deadline:
                        raise SmokeFailure(f"the window did not record its start in {log} within {START_SECONDS} s")
                    time.sleep(0.5)
                try:
                    window.wait(timeout=WINDOW_SECONDS)
                except subprocess.TimeoutExpired:
                    pass
                code = window.poll()
            finally:
                if window.poll() is None:
                    window.terminate()
                    try:
                        window.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        window.kill()
        if code is not None:
            raise SmokeFailure(f"the window stopped within {WINDOW_SECONDS} s of starting, with exit code {code}:\n"
                               + output.read_text(encoding="utf-8", errors="replace")[-3000:])


def _picture(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def _sharpness(picture: Image.Image, box: list[int]) -> float:
    """Mean absolute difference between neighbouring pixels inside `box` (left, top, right, bottom): a blur lowers it."""
    pixels = np.asarray(picture.convert("L").crop(tuple(box)), dtype=np.float32)
    return float(np.abs(np.diff(pixels, axis=0)).mean() + np.abs(np.diff(pixels, axis=1)).mean())


def _write_heic(photo: Path, target: Path) -> None:
    """`photo` saved as HEIC by pillow-heif (a dev-group test tool; the bundle has only pi-heif's decoder)."""
    import pillow_heif

    with Image.open(photo) as image:
        pillow_heif.from_pillow(image.convert("RGB")).save(target, quality=90)


def _write_clip(photo: Path, target: Path, frames: int = 12, fps: int = 6) -> None:
    """A 2-second H.264 clip (x264, yuv420p, as a phone's) of `photo` drifting 2 pixels a frame."""
    import av

    with Image.open(photo) as image:
        still = image.convert("RGB")
    width, height = (still.width - 2 * frames) // 2 * 2, still.height // 2 * 2
    with av.open(str(target), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            shifted = still.crop((index * 2, 0, index * 2 + width, height))
            out.mux(video.encode(av.VideoFrame.from_image(shifted)))
        out.mux(video.encode(None))


def _first_frame(clip: Path) -> Image.Image:
    """The first frame of `clip`, decoded with PyAV."""
    import av

    with av.open(str(clip)) as container:
        return next(container.decode(video=0)).to_image()


if __name__ == "__main__":
    sys.exit(main())
