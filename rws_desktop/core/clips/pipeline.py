"""A clip through to its safe copy, in two streamed passes.

1. Find and follow: every frame is decoded, but only a tiny grey copy of it is kept (to spot scene
   cuts). Every few frames (and on both sides of a cut, and on the last frame) a copy scaled to at
   most `detection_max_side` is searched for faces; faces join tracks, and while anyone may be
   shown a track's face is identified at every round until it has a few looks, then about once a
   second. Tracks are decided as wholes (`verdicts.py`).
2. Write: the clip is decoded again, the blurred tracks' regions (`coverage.py`) are blurred on
   every frame, and the frames are encoded; audio packets are passed through as they come.
   On frames where a blurred face was seen, the blur is checked to have left no detail.
Memory holds a frame or two and the tracks, never the clip.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from queue import Full, Queue
from typing import Callable, Iterator

from PIL import Image

from ..faces.detection import DetectedFace, DetectorSettings, FaceDetector
from ..faces.geometry import Box
from ..faces.matching import LIBRARY_TOLERANCE, MatchPolicy, identify
from ..faces.recognition import FaceEncoder
from ..faces.redaction import Region, keeps_detail, redact
from ..kernel.channels import Channel
from ..kernel.decisions import Action
from .coverage import CoverageIndex, CoverageSettings, TrackCoverage, neighbours_velocities
from .media import ClipInfo, ClipLoadError, clip_damaged, decoded_frames, open_clip, scaled_size, stored_size, upright
from .tracking import FastMotion, Observation, Sample, SceneCuts, Track, Tracker, TrackerSettings, scaled_face
from .verdicts import RegisterView, TrackRules, TrackVerdict

# The photo detector, with budgets for a frame every third of a second rather than one photo: it
# looks for faces from 24 pixels wide on frames of up to 1280 pixels. Frames follow the clip's rotation
# metadata, so the quarter and half turns a photo needs (and their close looks) are left out; tilted
# heads keep the 45° passes. Frames are shown to the network with faces at 16 pixels, where it is sure
# of them, and the 45° copies keep 200,000 pixels (photos go down to 12 pixels and 120,000, leaving more
# to the second look): the clip figures in the README were measured so, and fewer weak detections mean
# fewer second looks a second.
CLIP_DETECTOR_SETTINGS = DetectorSettings(
    min_face_px=24, network_face_px=16, max_network_pixels=500_000, coarse_network_pixels=150_000,
    max_tilted_network_pixels=200_000, angles=(45.0, -45.0),
)


@dataclass(frozen=True)
class ClipSettings:
    detect_every_s: float = 1 / 3
    detection_max_side: int = 1280
    identify_every_s: float = 1.0
    # A frame whose picture changed this much since the one before (grey levels, in its most changed
    # part; see FastMotion) gets a detection round of its own. In the bench's 30 s clip 2 % of
    # frames do; in a whip pan most do.
    fast_motion: float = 30.0
    # Detection rounds looked at side by side, each network run on one thread: a round's small
    # second looks and its Python use one core, so two rounds at once keep both busy.
    parallel_rounds: int = 2
    first_looks: int = 3  # looks taken at every round before slowing to one a second
    margin_s: float = 0.5  # blur held before a track is first seen and after it is last seen
    tracker: TrackerSettings = TrackerSettings()
    rules: TrackRules = TrackRules()
    policy: MatchPolicy = MatchPolicy()
    crf: int = 20
    # x264's "superfast" takes half "veryfast"'s time on a 720p frame (20 against 41 ms) for a file about
    # 40 % bigger; the platforms re-encode what is uploaded anyway.
    preset: str = "superfast"

    def stride(self, info: ClipInfo) -> int:
        return max(1, round(self.detect_every_s * info.fps))

    def coverage(self, info: ClipInfo) -> CoverageSettings:
        # At least two detection rounds, so a face entering just after a round is covered.
        return CoverageSettings(margin_frames=max(2 * self.stride(info), round(self.margin_s * info.fps)),
                                frame_size=(info.width, info.height))


class ClipCancelled(Exception):
    """Stopped on request; nothing was written."""


class UnverifiedBlur(Exception):
    """A blurred face still showed detail after blurring: the clip is not written."""


@dataclass(frozen=True)
class ClipProgress:
    stage: str  # "finding faces" or "writing the safe copy"
    frame: int  # frames done in this stage
    frame_count: int
    seconds_left: float | None


ProgressCallback = Callable[[ClipProgress], None]


@dataclass
class Scan:
    """What the first pass found."""

    tracks: list[Track]
    frames: int
    cuts: list[int] = field(default_factory=list)
    bridges: list[tuple[int, int, Observation, Observation]] = field(default_factory=list)

    def coverages(self, blurred: set[int], settings: CoverageSettings) -> list[TrackCoverage]:
        """Where to blur: each blurred track with its margins, and each bridge touching a blurred track."""
        last = self.frames - 1
        coverages = [TrackCoverage(t, settings, last, neighbours_velocities(t, self.tracks)) for t in self.tracks if t.id in blurred]
        bridge_settings = replace(settings, margin_frames=0)
        for number, (lost, started, before, after) in enumerate(self.bridges, start=1):
            if lost in blurred or started in blurred:
                coverages.append(TrackCoverage(Track(-number, before.frame, after.frame, [before, after]), bridge_settings, last))
        return coverages


class ClipAnalyser:
    """Finds, follows, decides and blurs the faces in one clip. Reads files; writes only `target`."""

    def __init__(self, detector: FaceDetector, encoder: FaceEncoder, settings: ClipSettings = ClipSettings()):
        self.detector = detector
        self.encoder = encoder
        self.settings = settings

    def scan(self, source: Path, info: ClipInfo, channel: Channel, register: RegisterView, today: date,
             progress: "_Progress") -> Scan:
        settings = self.settings
        stride = settings.stride(info)
        identify_faces = register.anyone_may_be_shown(channel.key, today)
        look_every = max(1, round(settings.identify_every_s * info.fps))
        width, height = scaled_size(info.width, info.height, settings.detection_max_side)
        scale = width / info.width
        stored_w, stored_h = stored_size(info, width, height)
        tracker, cuts, found_cuts, motion = Tracker(settings.tracker), SceneCuts(), [], FastMotion(settings.fast_motion)
        last_round, previous, index = -stride, None, -1
        # Detection rounds run side by side (they are independent); their faces join the tracks, and are
        # identified, strictly in frame order.
        pending: deque[tuple[int, Image.Image, Future]] = deque()

        def settle(keep: int) -> None:
            while len(pending) > keep or (pending and pending[0][2].done()):
                at, image, found = pending.popleft()
                faces = found.result()
                tracks = tracker.update(at, [scaled_face(face, scale) for face in faces])
                if identify_faces:
                    wanted = [i for i, track in enumerate(tracks) if _wants_look(track, at, settings.first_looks, look_every)]
                    self._look(image, [faces[i] for i in wanted], [tracks[i] for i in wanted], at, register)

        def detect(frame, at: int) -> None:
            pixels = upright(frame.reformat(width=stored_w, height=stored_h, format="rgb24").to_ndarray(), info.rotation)
            image = Image.fromarray(pixels)
            pending.append((at, image, rounds.submit(self.detector.detect, image)))
            settle(keep=settings.parallel_rounds)

        with ThreadPoolExecutor(settings.parallel_rounds, thread_name_prefix="clip detection") as rounds:
            try:
                with open_clip(source) as container:
                    for frame in decoded_frames(container):
                        index += 1
                        progress.check()
                        thumb = frame.reformat(width=SceneCuts.THUMB_SIZE[0], height=SceneCuts.THUMB_SIZE[1], format="gray").to_ndarray()
                        if index and cuts.is_cut(thumb):
                            if previous is not None and last_round != index - 1:
                                detect(previous, index - 1)  # the old scene's last frame
                            settle(keep=0)
                            tracker.cut(index)
                            found_cuts.append(index)
                            last_round = index - stride
                        elif not index:
                            cuts.is_cut(thumb)
                        small = frame.reformat(width=FastMotion.THUMB_SIZE[0], height=FastMotion.THUMB_SIZE[1], format="gray").to_ndarray()
                        if motion.is_fast(small) or index - last_round >= stride:
                            detect(frame, index)
                            last_round = index
                        previous = frame
                        progress.advance(index + 1)
                if previous is None:
                    raise ClipLoadError("The clip's video holds no frames that can be decoded.")
                if last_round != index:
                    detect(previous, index)
                settle(keep=0)
            finally:  # cancelled or failed: rounds not yet started are dropped, not waited for
                for _, _, found in pending:
                    found.cancel()
        return Scan(tracker.finish(index), index + 1, found_cuts, tracker.bridges)

    def _look(self, image: Image.Image, faces: list[DetectedFace], tracks: list[Track], at: int, register: RegisterView) -> None:
        for face, track, encoding in zip(faces, tracks, self.encoder.encode_all(image, faces)):
            if encoding is None:
                continue
            match = identify(encoding, register.gallery, self.settings.policy)
            everyone = register.gallery.person_distances(encoding)
            # Only people within the library's tolerance are kept: anyone further is "clearly not them"
            # to the track rules, and a register of hundreds would otherwise fill memory on a long clip.
            close = {person: nearest for person, (nearest, _) in everyone.items() if nearest <= LIBRARY_TOLERANCE}
            nearest = min((d for d, _ in everyone.values()), default=None)
            track.samples.append(Sample(at, match, close, nearest))

    def render(self, source: Path, target: Path, info: ClipInfo, scan: Scan, verdicts: list[TrackVerdict],
               progress: "_Progress", areas: list[tuple[Region, int, int]] = ()) -> None:
        """Write the safe copy: blurred tracks hidden on every frame of their coverage, and each
        hand-drawn area on its span of frames (first, last). Frames are decoded and blurred in a
        thread of their own while the ones before them are encoded."""
        from .writer import SafeClipWriter

        av = _av()
        with open_clip(source) as container:
            video = container.streams.video[0]
            video.thread_type = "AUTO"
            audio = container.streams.audio[0] if container.streams.audio else None
            writer = SafeClipWriter(target, info, video, audio, self.settings.crf, self.settings.preset)
            try:  # from here, an FFmpeg error is the source's: the writer was opened above
                safe = self._safe_frames(container, video, audio, info, scan, verdicts, areas)
                for index, item in in_background(safe):
                    progress.check()
                    if index is None:
                        writer.write_audio_packet(item)
                        continue
                    writer.write_video(item)
                    progress.advance(index + 1)
            except (av.FFmpegError, ValueError) as exc:
                writer.abandon()
                raise clip_damaged(exc) from exc
            except BaseException:
                writer.abandon()
                raise
            writer.finish()

    def _safe_frames(self, container, video, audio, info: ClipInfo, scan: Scan, verdicts: list[TrackVerdict],
                     areas: list[tuple[Region, int, int]]) -> Iterator[tuple[int | None, object]]:
        """(frame index, safe frame) for each video frame and (None, packet) for each audio packet, in
        the order the source holds them."""
        blurred = {v.track_id for v in verdicts if v.action is Action.BLURRED}
        index_of_regions = CoverageIndex(scan.coverages(blurred, self.settings.coverage(info)))
        seen_on = {(o.frame, t.id): o.face for t in scan.tracks if t.id in blurred for o in t.observations}
        seen_frames = {frame for frame, _ in seen_on}
        av = _av()
        index = -1
        for packet in container.demux(*(s for s in (video, audio) if s is not None)):
            if packet.stream.type == "audio":
                yield None, packet
                continue
            for frame in packet.decode():
                index += 1
                if index >= scan.frames:
                    raise ClipLoadError("The clip gave more frames the second time it was read; it may be changing.")
                regions = index_of_regions.regions(index) + [area for area, first, last in areas if first <= index <= last]
                if regions or info.rotation:
                    original = Image.fromarray(upright(frame.to_ndarray(format="rgb24"), info.rotation))
                    safe = redact(original, regions) if regions else original
                    if index in seen_frames:
                        _verify(original, safe, [face for (f, _), face in seen_on.items() if f == index])
                    out = av.VideoFrame.from_image(safe)
                    out.pts, out.time_base = frame.pts, frame.time_base
                else:
                    out = frame
                if out.pts is None:  # a stream without timestamps: number the frames
                    out.pts, out.time_base = index, 1 / info.frame_rate
                yield index, out


def in_background(items: Iterator, depth: int = 4) -> Iterator:
    """`items`, made in a thread of their own up to `depth` ahead of the caller (decoding and blurring
    release the interpreter lock, so they run while the caller encodes). An exception in the thread is
    raised to the caller; a caller that stops early (an error, a cancel) stops the thread first."""
    queue: Queue = Queue(depth)
    stop = threading.Event()

    def offer(entry) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
            offer((False, None))
        except BaseException as exc:  # handed to the caller, who raises it
            offer((False, exc))

    thread = threading.Thread(target=produce, name="clip frames", daemon=True)
    thread.start()
    try:
        while True:
            more, item = queue.get()
            if more:
                yield item
            elif item is not None:
                raise item
            else:
                return
    finally:
        stop.set()
        thread.join()


def _wants_look(track: Track, frame: int, first_looks: int, every: int) -> bool:
    if len(track.samples) < first_looks:
        return True
    return frame - track.samples[-1].frame >= every


def _verify(original: Image.Image, safe: Image.Image, faces: list[DetectedFace]) -> None:
    for face in faces:
        half = face.size / 2 / 1.4142
        cx, cy = face.center
        box = Box(round(cx - half), round(cy - half), round(cx + half), round(cy + half)).clipped(*original.size)
        if box.area and keeps_detail(original, safe, box):
            raise UnverifiedBlur("a blurred face could not be verified as hidden")


def _av():
    import av

    return av


class _Progress:
    """Progress in frames over both passes, with the time left, and the cancel check."""

    # Writing a frame costs about this share of finding faces in one (measured on 720p clips).
    WRITE_SHARE = 0.3

    def __init__(self, frame_count: int, callback: ProgressCallback | None, should_stop: Callable[[], bool]):
        self.frame_count = max(1, frame_count)
        self.callback = callback
        self.should_stop = should_stop
        self.stage = "finding faces"
        self._started = time.monotonic()
        self._stage_started = self._started
        self._scan_per_frame: float | None = None
        self._last_report = 0.0

    def check(self) -> None:
        if self.should_stop():
            raise ClipCancelled()

    def writing(self, frames: int) -> None:
        self._scan_per_frame = (time.monotonic() - self._stage_started) / max(1, frames)
        self.frame_count = frames
        self.stage, self._stage_started = "writing the safe copy", time.monotonic()
        self.advance(0, force=True)

    def advance(self, done: int, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_report < 0.2 and done < self.frame_count:
            return
        self._last_report = now
        self.callback(ClipProgress(self.stage, done, self.frame_count, self._seconds_left(done, now)))

    def _seconds_left(self, done: int, now: float) -> float | None:
        if done <= 0 and self._scan_per_frame is None:
            return None
        remaining = max(0, self.frame_count - done)
        if self._scan_per_frame is None:  # still finding faces: this pass at its pace, then the writing
            per_frame = (now - self._stage_started) / done
            return remaining * per_frame + self.frame_count * per_frame * self.WRITE_SHARE
        if done <= 0:
            return self.frame_count * self._scan_per_frame * self.WRITE_SHARE
        return remaining * (now - self._stage_started) / done
