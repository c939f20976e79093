"""A folder written into a zip file, with extra files beside it (plain Python)."""

import os
import zipfile
from pathlib import Path

STORE_ABOVE_BYTES = 16 * 1024 * 1024


def zip_folder(folder, destination, extra=None, report=None):
    """Write every file below `folder` into the zip `destination` (paths relative to the
    folder), then the `extra` {name: text} files unless the folder has them already. The zip is
    written beside its destination and renamed at the end, so a reader never finds half a file.
    `report(done, total)` is called as files are added. Returns the destination."""
    folder, destination = Path(folder), Path(destination)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    extra = {name: text for name, text in (extra or {}).items() if not (folder / name).is_file()}
    total = len(files) + len(extra)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, path in enumerate(files, 1):
            # weights barely compress: large files are stored as they are, which is many times faster
            big = path.stat().st_size > STORE_ABOVE_BYTES
            archive.write(path, path.relative_to(folder).as_posix(), zipfile.ZIP_STORED if big else None)
            if report:
                report(done, total)
        for done, (name, text) in enumerate(extra.items(), len(files) + 1):
            archive.writestr(name, text)
            if report:
                report(done, total)
    os.replace(partial, destination)
    return destination
