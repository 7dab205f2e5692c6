"""Output files (issue 10, point 12): atomic, with the user's permissions, and one sentence for a
folder that will not do — never a traceback, never a file under a final name after a fault."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

import pytest

from budgetopt.core import files

from full_disk import full_at


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_files_get_the_permissions_the_umask_gives(tmp_path, mask):
    # before: every output was 0600 (mkstemp's mode), whatever the umask
    old = os.umask(mask)
    try:
        path = files.write_text(tmp_path / "result.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_the_umask_is_read_without_changing_it():
    old = os.umask(0o027)
    try:
        assert files.umask() == 0o027
        assert files.umask() == 0o027
    finally:
        os.umask(old)


def test_a_full_disk_leaves_no_file_under_the_final_name(tmp_path, monkeypatch):
    target = tmp_path / "paper.html"
    target.write_text("an earlier paper")

    def full_disk(*args, **kwargs):  # a temporary file whose writes fail as on a full disk
        fd, name = real_mkstemp(*args, **kwargs)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), name

    real_mkstemp = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    with pytest.raises(files.OutputError, match=r"the disk is full"):
        files.write_bytes(target, b"x" * 100_000)
    assert target.read_text() == "an earlier paper"  # untouched: the rename never happened
    assert [p.name for p in tmp_path.iterdir()] == ["paper.html"]  # no temporary file left


def test_a_folder_that_is_a_file_is_said_in_a_sentence(tmp_path):
    a_file = tmp_path / "out"
    a_file.write_text("")
    with pytest.raises(files.OutputError) as e:
        files.prepare_folder(a_file)
    assert str(e.value) == (f"Cannot write {a_file}: it is {a_file}, which is a file, not a "
                            "folder; choose a folder (--out).")
    with pytest.raises(files.OutputError, match=r"lies under .*which is a file"):
        files.prepare_folder(a_file / "below")


def test_a_read_only_folder_is_said_in_a_sentence(tmp_path, monkeypatch):
    # permissions cannot deny root (these tests may run as root), so the OS's answer for a
    # read-only folder is given by the temporary-file call that meets it first
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    for call in (lambda: files.prepare_folder(tmp_path),
                 lambda: files.write_text(tmp_path / "result.json", "{}")):
        with pytest.raises(files.OutputError) as e:
            call()
        assert str(e.value).startswith(f"Cannot write {tmp_path}")
        assert "permission denied; choose a folder you can write to (--out)." in str(e.value)
    read_only = files.why(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert "the file system is read-only; choose a folder" in read_only


def test_prepare_folder_removes_what_an_earlier_run_left(tmp_path):
    for name in ("allocation.csv", "result.json", "notes.txt"):
        (tmp_path / name).write_text("old")
    files.prepare_folder(tmp_path, ("allocation.csv", "result.json", "flows.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _full_disk_at(monkeypatch, name: str) -> None:
    """The temporary file of ``name`` is written to /dev/full, as on a full disk."""
    monkeypatch.setattr(tempfile, "mkstemp", full_at(name, tempfile.mkstemp))


def test_files_written_together_are_all_or_none(tmp_path, monkeypatch):
    # before: each file was atomic on its own, so the files written before a full disk stayed
    _full_disk_at(monkeypatch, "result.json")
    with (pytest.raises(files.OutputError, match=r"result.json: the disk is full"),
          files.together() as written):
        written.write_text(tmp_path / "allocation.csv", "a,b\n")
        written.write_text(tmp_path / "flows.csv", "c,d\n")
        written.write_text(tmp_path / "result.json", "{}\n")
    assert list(tmp_path.iterdir()) == []
    with files.together() as written:
        written.write_text(tmp_path / "allocation.csv", "a,b\n")
        [staged] = tmp_path.iterdir()
        assert staged.name.startswith(".allocation.csv.")  # not under its final name yet
    assert [p.name for p in tmp_path.iterdir()] == ["allocation.csv"]


def test_permissions_are_set_on_the_file_made_not_on_what_its_descriptor_points_at(
        tmp_path, monkeypatch):
    # the full-disk tests point the descriptor at /dev/full: before, os.fchmod on it changed the
    # device's own permissions (to 0644, as root; "permission denied" for anyone else)
    decoy = tmp_path / "decoy"
    decoy.write_text("")
    decoy.chmod(0o600)
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, path = real_mkstemp(*args, **kwargs)
        os.close(fd)
        return os.open(decoy, os.O_WRONLY), path

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    out = tmp_path / "out"
    files.write_text(out / "result.json", "{}\n")
    assert stat.S_IMODE(decoy.stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "result.json").stat().st_mode) == 0o666 & ~files.umask()


def test_a_failure_while_renaming_leaves_none_of_the_files(tmp_path):
    # the second file's name is taken by a folder: the first, already renamed, goes too
    (tmp_path / "result.json").mkdir()
    with (pytest.raises(files.OutputError, match=r"result.json: it is a folder"),
          files.together() as written):
        written.write_text(tmp_path / "allocation.csv", "a,b\n")
        written.write_text(tmp_path / "result.json", "{}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_a_folder_in_the_way_of_a_file_is_named(tmp_path):
    # before: "Cannot write <the output folder>: Is a directory."
    (tmp_path / "allocation.csv").mkdir()
    expected = (f"Cannot write {tmp_path / 'allocation.csv'}: it is a folder, where budgetopt "
                "writes a file; move or remove it, or choose another folder (--out).")
    for call in (lambda: files.prepare_folder(tmp_path, ("allocation.csv", "flows.csv")),
                 lambda: files.write_text(tmp_path / "allocation.csv", "a,b\n")):
        with pytest.raises(files.OutputError) as e:
            call()
        assert str(e.value) == expected
    assert (tmp_path / "allocation.csv").is_dir()


def test_remove_outputs_removes_only_the_files_named(tmp_path):
    for name in ("allocation.csv", "result.json", "notes.txt"):
        (tmp_path / name).write_text("old")
    (tmp_path / "flows.csv").mkdir()  # not a file this command wrote: left alone
    files.remove_outputs(tmp_path, ("allocation.csv", "result.json", "flows.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flows.csv", "notes.txt"]
    files.remove_outputs(tmp_path / "absent", ("allocation.csv",))  # nothing made
    assert not (tmp_path / "absent").exists()
