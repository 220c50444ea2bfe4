"""Posts: a caption and the vetted photos for one channel, with one decision (ready or blocked, with
every reason), checks that the caption's names agree with the faces shown and blurred, and the
posting pack (safe media, caption.txt, receipt.pdf) recorded as a `post_approved` audit entry.

Above vetting: it may import every other core package, and none imports it.
"""
