"""training/core/archive.py: a folder into a zip, weights stored as they are."""

import zipfile

from training.core import archive as archive_module
from training.core.archive import zip_folder


def test_zip_folder_stores_big_files_compresses_small_ones_and_keeps_the_folders_own_files(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "STORE_ABOVE_BYTES", 1000)
    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "weights.safetensors").write_bytes(b"w" * 5000)
    (folder / "config.json").write_text("{}" * 100)
    (folder / "studio_run.json").write_text('{"from": "the engine"}')
    progress = []
    out = zip_folder(
        folder,
        tmp_path / "zips" / "a.zip",
        extra={"studio_run.json": "{}", "README.txt": "hi"},
        report=lambda done, total: progress.append((done, total)),
    )
    with zipfile.ZipFile(out) as zipped:
        info = {i.filename: i for i in zipped.infolist()}
        assert info["weights.safetensors"].compress_type == zipfile.ZIP_STORED
        assert info["config.json"].compress_type == zipfile.ZIP_DEFLATED
        assert zipped.read("studio_run.json") == b'{"from": "the engine"}'  # the folder's own file wins
        assert zipped.read("README.txt") == b"hi"
    assert progress[-1] == (4, 4)
    assert [p.name for p in (tmp_path / "zips").iterdir()] == ["a.zip"]  # no .partial left
