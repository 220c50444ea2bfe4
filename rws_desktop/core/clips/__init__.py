"""Video clips: a clip for a channel, through to its safe copy and the facts its audit entry holds.

Faces are found on every few frames, followed across frames as tracks, and each track is decided
as a whole by the photo safety rule (faces.matching's strict match, kernel.consent's channel
consent). Everything except a track positively identified as one consenting person is blurred
for its whole length, with margins in space and time. Frames are streamed twice (once to find
and follow faces, once to write the safe copy), so memory does not grow with the clip.

Imports the kernel and faces only. The vetting package, above it, calls in through `service`.
"""
