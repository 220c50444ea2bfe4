"""Writing a safe clip: H.264 video in MP4, the audio copied unchanged where MP4 can hold it
(else re-encoded as AAC), and nothing else.

No metadata is carried over: no GPS or location atoms, maker notes, creation dates or titles.
The container's and streams' tags stay empty, the muxer runs bit-exact (so it does not even
sign its own name), and MP4's creation dates stay at zero. The file is written under a `.part`
name; the caller renames it once the clip's audit entry is recorded.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from .media import ClipInfo

# Audio codecs an MP4 holds as they are; anything else (WebM's Vorbis, PCM from a camera) is re-encoded.
MP4_AUDIO = frozenset({"aac", "mp3", "alac", "ac3", "eac3"})
VIDEO_CODEC = "libx264"
AUDIO_CODEC = "aac"


class SafeClipWriter:
    def __init__(self, target: Path, info: ClipInfo, source_video, source_audio, crf: int = 20, preset: str = "veryfast"):
        import av

        self._av = av
        self.container = av.open(str(target), "w", format="mp4", options={"fflags": "+bitexact"})
        self.container.metadata.clear()
        rate = info.frame_rate if info.frame_rate > 0 else Fraction(30)
        self.video = self.container.add_stream(VIDEO_CODEC, rate=rate)
        self.video.width, self.video.height = info.width, info.height
        self.video.pix_fmt = "yuv420p"
        self.video.codec_context.time_base = source_video.time_base or Fraction(1, 90000)
        self.video.options = {"crf": str(crf), "preset": preset}
        self._copy_audio = source_audio is not None and source_audio.codec_context.name in MP4_AUDIO
        self.audio = None
        self._source_audio = source_audio
        if source_audio is not None:
            if self._copy_audio:
                self.audio = self.container.add_stream_from_template(source_audio)
            else:
                layout = source_audio.codec_context.layout.name if source_audio.codec_context.layout else "stereo"
                self.audio = self.container.add_stream(AUDIO_CODEC, rate=source_audio.codec_context.sample_rate or 48000, layout=layout)
        for stream in self.container.streams:
            stream.metadata.clear()

    @property
    def copies_audio(self) -> bool:
        return self._copy_audio

    def write_video(self, frame) -> None:
        for packet in self.video.encode(frame):
            self.container.mux(packet)

    def write_audio_packet(self, packet) -> None:
        """A demuxed audio packet: muxed as it is, or decoded and re-encoded."""
        if self.audio is None:
            return
        if self._copy_audio:
            if packet.dts is None:  # the demuxer's end-of-stream marker
                return
            packet.stream = self.audio
            self.container.mux(packet)
            return
        for frame in packet.decode():
            frame.pts = None  # the encoder numbers samples itself
            for out in self.audio.encode(frame):
                self.container.mux(out)

    def finish(self) -> None:
        for packet in self.video.encode(None):
            self.container.mux(packet)
        if self.audio is not None and not self._copy_audio:
            for packet in self.audio.encode(None):
                self.container.mux(packet)
        self.container.close()

    def abandon(self) -> None:
        try:
            self.container.close()
        except Exception:  # the file is deleted anyway
            pass
