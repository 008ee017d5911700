"""Files only their owner may read: backups and audit archives hold password hashes, unpublished designs and
what people did."""
import os
from pathlib import Path


def create_private(path: Path):
    """A new file (refused if one is there) readable by its owner alone, whatever the umask; open for writing."""
    return os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb")
