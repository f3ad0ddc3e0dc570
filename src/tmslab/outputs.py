"""Output locations checked before any work, and output sets that appear whole or not at all.

``check_output_dir(path)`` refuses, before anything is computed, an output folder that cannot be
created or written (a parent that is a file, no write permission, a file where the folder should
be). :class:`OutputSet` then writes a command's whole set of files into a hidden temporary sibling
folder, ``.OUT.tmslab-tmp-PID-XXXX``, and moves it into place:

- a new folder: one ``os.rename`` (atomic);
- an existing folder: the old one is renamed aside to ``.OUT.tmslab-old-PID-XXXX``, the new one
  renamed in, and the old one removed. Between the two renames (microseconds) ``OUT`` is missing;
  a kill exactly then leaves the previous set whole under the ``tmslab-old`` name, and the next
  run writing to ``OUT`` renames it back (or removes it, if ``OUT`` holds a newer set).

So ``OUT`` holds the previous complete set or the new complete set, never a mixture. Temporary
folders of a killed run (its process id no longer alive) are removed by the next run to ``OUT``.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from tmslab.errors import InvalidValueError, SpecFileError

TMP_MARK = "tmslab-tmp"
OLD_MARK = "tmslab-old"


class OutputLocationError(SpecFileError):
    """An output path that cannot be written (missing permission, a file in the way)."""


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """Check, writing nothing that stays, that ``path`` can be (created and) written as a folder.

    Raises OutputLocationError naming the path and the reason. Returns ``path``.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputLocationError(
            f"{option} {path} exists and is not a directory; give a directory path"
        )
    # The set is built beside the folder and renamed in: the parent must be writable too.
    ancestor = _existing_folder(path, option)
    probe_dirs = [path, ancestor] if path.is_dir() else [ancestor]
    for folder in dict.fromkeys(probe_dirs):
        _probe(folder, path, option)
    return path


def check_output_file(
    path: str | Path, suffixes: Iterable[str] | None = None, option: str = "--out"
) -> Path:
    """Check, before any work, that file ``path`` can be written (atomically, via a sibling).

    suffixes: the file types the command writes (``(".png", ".svg")``); None accepts any.
    Raises OutputLocationError naming the path and the reason. Returns ``path``.
    """
    path = Path(path)
    if suffixes is not None:
        allowed = [s.lower() for s in suffixes]
        if path.suffix.lower() not in allowed:
            raise OutputLocationError(
                f"{option} {path}: cannot write a {path.suffix or 'file without an extension'} "
                f"file; give a file ending in {', '.join(allowed)}"
            )
    if path.is_dir():
        raise OutputLocationError(f"{option} {path} is a directory; give a file path")
    ancestor = _existing_folder(path, option)
    _probe(ancestor, path, option)
    return path


def _existing_folder(path: Path, option: str) -> Path:
    """The nearest existing ancestor of ``path``, which must be a folder (it is created below)."""
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputLocationError(
            f"{option} {path}: cannot create it, {ancestor} is a file, not a directory; "
            "give a path under a directory"
        )
    return ancestor


def _probe(folder: Path, path: Path, option: str) -> None:
    fix = f"choose another {option} location or fix its permissions"
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputLocationError(f"{option} {path}: {folder} is not writable; {fix}")
    try:  # os.access can say yes where a write fails (read-only mounts, ACLs, a full disk)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise OutputLocationError(
            f"{option} {path}: cannot write in {folder} ({_reason(error)}); {fix}"
        ) from None


def prepare_output_folder(out, names: Iterable[str], option: str = "--out") -> Path:
    """Check, before any work, that a folder can be replaced by a command's set of files.

    Resolves ``out`` (a link is followed), refuses a path that is not a usable folder, removes
    what a killed earlier run left, and refuses a folder holding files other than ``names``.

    Parameters
    ----------
    out : str or Path
        The output folder.
    names : iterable of str
        The files the command writes there.
    option : str
        How the messages name the folder.

    Returns
    -------
    Path
        The resolved folder.
    """
    target = Path(out).resolve()
    check_output_dir(target)
    clean_leftovers(target)
    check_only_own_files(target, names, option)
    return target


def check_only_own_files(path: Path, names: Iterable[str], option: str = "--out") -> None:
    """Refuse to replace a folder holding files other than ``names`` (a set of this command's),
    or the current folder (or one holding it).

    The whole folder is replaced by the new set, so anything else in it would be lost.
    """
    if not path.is_dir():
        return
    if Path.cwd().resolve().is_relative_to(path.resolve()):
        raise OutputLocationError(
            f"{option} {path} is the current folder or holds it (the folder is replaced as a "
            "whole); give a folder for this run, e.g. --out results"
        )
    own = set(names)
    foreign = sorted(
        entry.name
        for entry in path.iterdir()
        if entry.name not in own
        and not (entry.name.startswith(".") and entry.name.endswith(".part"))
    )
    if foreign:
        raise OutputLocationError(
            f"{option} {path} holds {foreign[0]!r}, which this command did not write (the folder "
            "is replaced as a whole); give a new or empty folder, or one of a previous run"
        )


_LEFTOVER = re.compile(rf"^\.(?P<name>.+)\.(?P<kind>{TMP_MARK}|{OLD_MARK})-(?P<pid>\d+)-\w+$")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def clean_leftovers(path: str | Path) -> list[Path]:
    """Tidy what a killed run left beside ``path``; returns what was restored or removed.

    A ``tmslab-old`` folder is renamed back to ``path`` if ``path`` is missing (the kill fell
    between the two renames), else removed; ``tmslab-tmp`` folders are removed. Only leftovers of
    processes no longer alive are touched (a run in progress keeps its own).
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        return []
    touched = []
    leftovers = []
    for entry in parent.iterdir():
        match = _LEFTOVER.match(entry.name)
        if match and match["name"] == path.name and not process_alive(int(match["pid"])):
            leftovers.append((match["kind"], entry))
    for kind, entry in sorted(leftovers, key=lambda item: item[0] != OLD_MARK):
        if kind == OLD_MARK and not path.exists():
            os.rename(entry, path)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        touched.append(entry)
    if path.is_dir():  # a kill inside atomic_write of an older version left hidden .part files
        for part in path.glob(".*.part"):
            if part.is_file():
                part.unlink(missing_ok=True)
                touched.append(part)
    return touched


class OutputSet:
    """A set of files written into a hidden sibling folder, then moved into ``path`` at once.

    >>> with OutputSet(out) as files:                  # doctest: +SKIP
    ...     files.write_text("results.json", text)
    ...     files.write("results.nc", lambda p: dataset.to_netcdf(p))

    Leaving the block without an error publishes the set; an error discards it and leaves
    ``path`` as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._tmp: Path | None = None
        self._token = f"{os.getpid()}-{secrets.token_hex(4)}"

    def _sibling(self, mark: str) -> Path:
        return self.path.parent / f".{self.path.name}.{mark}-{self._token}"

    def __enter__(self) -> OutputSet:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self._sibling(TMP_MARK)
        self._tmp.mkdir()
        return self

    def write(self, name: str, write: Callable[[Path], None]) -> Path:
        """Write file ``name`` of the set through ``write(path)``."""
        assert self._tmp is not None, "use OutputSet in a with block"
        target = self._tmp / name
        write(target)
        return target

    def write_text(self, name: str, text: str) -> Path:
        """Write ``text`` (UTF-8) as file ``name`` of the set."""
        return self.write(name, lambda p: p.write_text(text, encoding="utf-8"))

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._tmp is not None
        if exc_type is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            return
        try:
            self._publish()
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise

    def _publish(self) -> None:
        assert self._tmp is not None
        os.chmod(self._tmp, 0o777 & ~_umask())  # mkdir honours the umask already; be explicit
        if not self.path.exists():
            os.rename(self._tmp, self.path)
            return
        old = self._sibling(OLD_MARK)
        os.rename(self.path, old)
        # The window: a kill here leaves the previous set whole at `old`; clean_leftovers restores it.
        try:
            os.rename(self._tmp, self.path)
        except BaseException:
            os.rename(old, self.path)
            raise
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_OS_FIXES = {
    errno.EACCES: "check its permissions or choose another path",
    errno.EPERM: "check its permissions or choose another path",
    errno.EROFS: "the file system is read-only; choose another path",
    errno.ENOSPC: "the disk is full; free some space or choose another path",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another path",
    errno.ENOENT: "check that the path exists",
    errno.EEXIST: "a file is in the way; choose another path",
    errno.ENOTDIR: "a file is in the way where a folder is needed; choose another path",
    errno.EISDIR: "a folder is in the way where a file is needed; choose another path",
}


def os_error_message(error: OSError) -> str:
    """One line for an OSError: the path(s), the reason and a fix chosen by errno."""
    reason = error.strerror or str(error) or type(error).__name__
    paths = [p for p in (error.filename, getattr(error, "filename2", None)) if p]
    where = " -> ".join(str(p) for p in paths)
    fix = _OS_FIXES.get(error.errno, "check the path and its permissions")
    return f"{where}: {reason}; {fix}" if where else f"{reason}; {fix}"


FIGURE_FORMATS = ("png", "svg", "pdf")
FIGURE_SUFFIXES = tuple("." + f for f in FIGURE_FORMATS)


def _either(suffixes: tuple[str, ...]) -> str:
    return " or ".join([", ".join(suffixes[:-1]), suffixes[-1]] if len(suffixes) > 1 else suffixes)


def _figure_refused(path: Path) -> InvalidValueError:
    return InvalidValueError(
        f"cannot save a figure as {path.name!r}; use a file ending in {_either(FIGURE_SUFFIXES)}"
    )


def check_out(
    path: str | Path | None, suffixes: tuple[str, ...] | None, option: str = "--out"
) -> Path | None:
    """Refuse an output path before any work: an unknown extension, then a file or folder in the
    way or no permission to write (:func:`check_output_dir`, :func:`check_output_file`).

    Parameters
    ----------
    path : path or None
        The output (None: nothing to check). Missing folders are fine (made on writing).
    suffixes : tuple of str or None
        Known extensions, with the dot; None for a folder.
    option : str
        The option named in the message.

    Returns
    -------
    Path or None
        ``path``.
    """
    if path is None:
        return None
    path = Path(path)
    if suffixes is None:
        return check_output_dir(path, option)
    if path.suffix.lower() not in suffixes:
        if suffixes == FIGURE_SUFFIXES:
            raise _figure_refused(path)
        raise InvalidValueError(
            f"{option} {str(path)!r}: unknown output type; use a file ending in {_either(suffixes)}"
        )
    return check_output_file(path, None, option)


def check_figure_path(path: str | Path | None, option: str = "--out") -> None:
    """Before the work: ``path`` (if given) is a .png/.svg/.pdf file that can be written."""
    check_out(path, FIGURE_SUFFIXES, option)
