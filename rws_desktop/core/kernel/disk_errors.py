"""Why a file could not be read or written, in plain words. The system's own wording (errno names, paths,
library messages) goes to the log, never to the user. Here, in the kernel, so that the key files, the MIS
reader and the posting pack can use them without loading the face tools."""
from __future__ import annotations

import errno
from pathlib import Path


def unwritable_reason(exc: OSError, folder: Path) -> str:
    """What stopped a write into `folder`, and what to do about it."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk holding {folder} is full. Free some space or choose another folder, then try again."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"This computer does not allow writing to {folder}. Choose another folder, then try again."
    if exc.errno == errno.ENAMETOOLONG:
        return f"The file's name or the path of {folder} is too long to write. Choose a folder with a shorter path."
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"The folder {folder} was moved or deleted while the files were written. Choose the folder again."
    return (f"The files could not be written to {folder} (the disk reported an error). Try again, or choose "
            "another folder; the details are in the app's log file.")


def unreadable_reason(exc: OSError) -> str:
    """Why a file (a photo, a clip, a key file, an MIS export) could not be read, in plain words."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "The file could not be read: you have no permission to open it."
    if exc.errno == errno.ENAMETOOLONG:
        return "The file's name or folder path is too long to open."
    if exc.errno == errno.ELOOP:
        return "This is a link that cannot be followed (it points to itself or loops), so there is nothing to check."
    if exc.errno == errno.ENOENT:
        return "The file could not be read (it was moved or deleted)."
    return "The file could not be read from the disk."
