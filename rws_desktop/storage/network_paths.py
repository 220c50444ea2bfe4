"""Is a file on a network share? SQLite must not be, since its write-ahead log relies on shared
memory that only one computer can see: two PCs writing one file over the network can corrupt it.

Recognised: Windows UNC paths (\\\\server\\share) and mapped network drives; on Linux the file
systems in /proc/self/mounts, on macOS those listed by `mount`, such as NFS, SMB/CIFS and sshfs.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afpfs", "webdav", "davfs", "ncpfs", "9p",
    "afs", "coda", "ceph", "glusterfs", "lustre", "gpfs", "sshfs", "macfuse", "osxfuse",
})
# FUSE file systems that reach another computer (fuse.<name> on Linux).
NETWORK_FUSE = frozenset({"sshfs", "davfs", "davfs2", "rclone", "s3fs", "smbnetfs", "glusterfs", "cephfs", "gcsfuse"})
_DRIVE_REMOTE = 4  # GetDriveTypeW


def network_share(path: Path, mounts: list[tuple[str, str]] | None = None) -> str | None:
    """What kind of network share `path` lies on, in words, or None for a local disk.
    `mounts` (mount point, file system type) replaces the system's mount table, for tests."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "a Windows network path (UNC)"
    if os.name == "nt":
        return _mapped_network_drive(path)
    table = _mount_table() if mounts is None else mounts
    where = os.path.realpath(os.path.expanduser(text))
    best = None
    for mount_point, kind in table:
        inside = where == mount_point or where.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > len(best[0])):
            best = (mount_point, kind)
    if best is None:
        return None
    kind = best[1].lower()
    if kind in NETWORK_FILE_SYSTEMS or (kind.startswith("fuse.") and kind[5:] in NETWORK_FUSE):
        return f"a network file system ({kind}, mounted at {best[0]})"
    return None


def sqlite_refusal(path: Path, mounts: list[tuple[str, str]] | None = None) -> str | None:
    """Why an SQLite database file at `path` is refused, naming PostgreSQL as the way to share; None if it is local."""
    share = network_share(path, mounts)
    if share is None:
        return None
    return (f"The database file {path} is on {share}. SQLite cannot be shared over a network: its write-ahead "
            "log works on one computer only, and several PCs writing one file can corrupt the register. To share "
            "one register between PCs, use a PostgreSQL server (rws setup database postgres URL; see README, "
            "'Install on school PCs'), or keep the file on this PC's own disk.")


def _mapped_network_drive(path: Path) -> str | None:
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(path))[0]
    if not drive:
        return None
    if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == _DRIVE_REMOTE:
        return f"a mapped network drive ({drive})"
    return None


def _mount_table() -> list[tuple[str, str]]:
    try:
        if sys.platform == "darwin":
            listed = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=10).stdout
            return parse_macos_mounts(listed)
        return parse_proc_mounts(Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace"))
    except (OSError, subprocess.SubprocessError):
        return []


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from /proc/mounts lines: `device mount-point type options 0 0`, spaces as \\040."""
    table = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            table.append((re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1]), fields[2]))
    return table


def parse_macos_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS `mount` lines: `//me@server/share on /Volumes/share (smbfs, nodev, ...)`."""
    table = []
    for line in text.splitlines():
        found = re.match(r"^.+? on (.+) \(([^,)]+)", line)
        if found:
            table.append((found.group(1), found.group(2).strip()))
    return table
