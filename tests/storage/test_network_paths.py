"""SQLite files on network shares are recognised (and refused elsewhere): UNC paths, and NFS, SMB or sshfs mounts."""
from __future__ import annotations

from pathlib import Path

from rws_desktop.storage.network_paths import network_share, parse_macos_mounts, parse_proc_mounts, sqlite_refusal

LINUX_MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/staff /mnt/staff nfs4 rw,relatime 0 0
//fileserver/Shared\\040Drive /mnt/shared\\040drive cifs rw 0 0
me@host:/home/me /home/me/remote fuse.sshfs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


def test_unc_paths_are_network_shares_in_either_slash():
    """\\\\server\\share and //server/share are Windows network paths, refused whatever the mount table says."""
    assert network_share(Path("//fileserver/office/rws.sqlite3"), mounts=[]) == "a Windows network path (UNC)"
    assert "UNC" in network_share(Path("\\\\fileserver\\office\\rws.sqlite3"), mounts=[])


def test_linux_mount_table_names_nfs_cifs_and_sshfs_but_not_local_disks():
    """The deepest mount holding the file decides; escaped spaces in /proc/mounts are read correctly."""
    mounts = parse_proc_mounts(LINUX_MOUNTS)
    assert ("/mnt/shared drive", "cifs") in mounts
    assert network_share(Path("/mnt/staff/rws/rws.sqlite3"), mounts) == "a network file system (nfs4, mounted at /mnt/staff)"
    assert "cifs" in network_share(Path("/mnt/shared drive/rws.sqlite3"), mounts)
    assert "fuse.sshfs" in network_share(Path("/home/me/remote/rws.sqlite3"), mounts)
    assert network_share(Path("/home/me/rws.sqlite3"), mounts) is None
    assert network_share(Path("/tmp/rws.sqlite3"), mounts) is None
    assert network_share(Path("/mnt/staffroom/rws.sqlite3"), mounts) is None  # a sibling, not inside /mnt/staff


def test_macos_mount_listing_is_read():
    """`mount` on macOS names SMB and AFP shares by type."""
    listing = ("/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
               "//teacher@fileserver/Office on /Volumes/Office (smbfs, nodev, nosuid, mounted by teacher)\n")
    mounts = parse_macos_mounts(listing)
    assert mounts == [("/", "apfs"), ("/Volumes/Office", "smbfs")]
    assert "smbfs" in network_share(Path("/Volumes/Office/rws.sqlite3"), mounts)


def test_the_refusal_names_postgresql_as_the_way_to_share():
    """The message says why (several PCs can corrupt one file) and what to do instead."""
    refusal = sqlite_refusal(Path("//fileserver/office/rws.sqlite3"), mounts=[])
    assert "PostgreSQL" in refusal and "corrupt" in refusal and "this PC's own disk" in refusal
    assert sqlite_refusal(Path("/home/me/rws.sqlite3"), mounts=parse_proc_mounts(LINUX_MOUNTS)) is None
