"""Start-up cost: the plugin registry's disk cache stays correct, and light commands stay light.

The entry-point scan of importlib.metadata is cached on disk (octavo.plugins); these tests check
that a cached registry still sees a plugin installed, changed or removed afterwards, and that a
hit really spares the scan.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from octavo import plugins
from octavo.errors import PluginError

# Lists the writers a fresh process finds with `extra` first on sys.path, and whether it had to
# import importlib.metadata (the scan) to find them.
_PROBE = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from octavo import plugins
    names = sorted(f"{n}={ep.value}" for n, ep in plugins.writer_entry_points().items())
    print(" ".join(names))
    print("scanned" if "importlib.metadata" in sys.modules else "cached")
""")


def _settle(*folders: Path) -> None:
    """Date what changed in the last seconds 10 s back (so, as after a real install, the key is
    old enough to be stored); what did not change keeps its time."""
    now = time.time_ns()
    for folder in folders:
        for path in (folder, *folder.rglob("*")):
            if path.stat().st_mtime_ns > now - 5_000_000_000:
                os.utime(path, ns=(now - 10_000_000_000,) * 2)


def _probe(extra: Path, cache_home: Path) -> tuple[list[str], str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    work = extra.parent / "work"  # the working folder is on sys.path for `python -c`
    work.mkdir(exist_ok=True)
    _settle(extra, work)
    out = subprocess.run([sys.executable, "-c", _PROBE, str(extra)], capture_output=True,
                         text=True, env=env, check=True, cwd=work)
    names, how = out.stdout.split("\n")[:2]
    return names.split(), how


def _add_dist(folder: Path, name: str, value: str) -> Path:
    dist = folder / f"{name}_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[octavo.writers]\n{name} = {value}\n")
    return dist


def test_a_second_start_reuses_the_scan(tmp_path: Path) -> None:
    extra, home = tmp_path / "site", tmp_path / "cache"
    extra.mkdir()
    first, how_first = _probe(extra, home)
    second, how_second = _probe(extra, home)
    assert (how_first, how_second) == ("scanned", "cached")
    assert first == second
    assert "epub=octavo.writers.epub:EpubWriter" in first
    assert list(home.glob("octavo/entry-points-*.marshal"))


def test_installing_changing_and_removing_a_plugin_is_seen_through_the_cache(
        tmp_path: Path) -> None:
    extra, home = tmp_path / "site", tmp_path / "cache"
    extra.mkdir()
    assert not any(n.startswith("shout=") for n in _probe(extra, home)[0])
    assert _probe(extra, home)[1] == "cached"

    dist = _add_dist(extra, "shout", "demo_plugin:ShoutWriter")  # pip install
    names, how = _probe(extra, home)
    assert "shout=demo_plugin:ShoutWriter" in names and how == "scanned"
    assert _probe(extra, home) == (names, "cached")

    # A reinstall that rewrites entry_points.txt in place (the folder's listing is unchanged).
    (dist / "entry_points.txt").write_text("[octavo.writers]\nshout = demo_plugin:LoudWriter\n")
    assert "shout=demo_plugin:LoudWriter" in _probe(extra, home)[0]

    for child in dist.iterdir():  # pip uninstall
        child.unlink()
    dist.rmdir()
    assert not any(n.startswith("shout=") for n in _probe(extra, home)[0])


def test_an_egg_info_next_to_the_sources_is_seen(tmp_path: Path) -> None:
    """Editable installs leave NAME.egg-info in the source folder, which is on sys.path."""
    extra, home = tmp_path / "src", tmp_path / "cache"
    extra.mkdir()
    _probe(extra, home)
    egg = extra / "demo.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n")
    (egg / "entry_points.txt").write_text("[octavo.writers]\nshout = demo:ShoutWriter\n")
    assert "shout=demo:ShoutWriter" in _probe(extra, home)[0]


def test_a_scan_of_a_just_changed_folder_is_not_stored(tmp_path: Path) -> None:
    """A change within the same timestamp tick could hide from the key: such keys wait."""
    extra, home = tmp_path / "site", tmp_path / "cache"
    extra.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    for _ in range(2):
        (extra / "touched").write_text("now")  # the folder's mtime is fresh on every start
        out = subprocess.run([sys.executable, "-c", _PROBE, str(extra)], capture_output=True,
                             text=True, env=env, check=True)
        assert out.stdout.split("\n")[1] == "scanned"
    assert not list(home.glob("octavo/entry-points-*.marshal"))


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # The test run's own sys.path holds just-made folders (tmp paths, tests/): store regardless.
    monkeypatch.setattr(plugins, "_SETTLED_NS", 0)
    plugins.clear_caches()
    yield tmp_path / "xdg" / "octavo"
    monkeypatch.undo()
    plugins.clear_caches()


def test_the_cached_registry_equals_the_scan(cache_home: Path) -> None:
    scanned = plugins._all_entry_points()  # a miss: scans and stores
    plugins.clear_caches()
    assert plugins._cached_scan() is not None
    assert plugins._all_entry_points() == scanned
    assert [(ep.group, ep.name, ep.value) for ep in scanned] == plugins._scan()


def test_a_damaged_cache_file_falls_back_to_the_scan(cache_home: Path) -> None:
    plugins._all_entry_points()
    (stored,) = cache_home.glob("entry-points-*.marshal")
    stored.write_bytes(b"\x00garbage")
    plugins.clear_caches()
    assert plugins._cached_scan() is None
    assert "pdf" in plugins.writer_entry_points()


def test_an_unwritable_cache_folder_costs_only_the_cache(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    plugins.clear_caches()
    try:
        assert "epub" in plugins.writer_entry_points()
    finally:
        monkeypatch.undo()
        plugins.clear_caches()


def test_a_finder_that_adds_distributions_turns_the_cache_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        def find_spec(self, *args: object) -> None:
            return None

        def find_distributions(self, *args: object) -> list[object]:
            return []

    assert plugins._search_path() is not None
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    assert plugins._search_path() is None


def test_plugin_entries_load_like_importlib_entry_points() -> None:
    import os.path as expected_module

    assert plugins.PluginEntry("p", "os.path", "g").load() is expected_module
    assert plugins.PluginEntry("p", "os.path:join", "g").load() is os.path.join
    assert plugins.PluginEntry("p", "os : path.join [extra]", "g").load() is os.path.join
    with pytest.raises(PluginError, match="failed to load"):
        plugins._load(plugins.PluginEntry("p", "not a reference", "octavo.writers"), "writer")


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import sys, runpy; sys.argv = " + repr(["octavo", *argv]) + "\n"
            "try:\n runpy.run_module('octavo', run_name='__main__')\nexcept SystemExit: pass\n"
            "print(' '.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split("\n")[-2].split())


def test_help_imports_no_model_plugin_registry_or_metadata() -> None:
    loaded = _modules_after(["--help"])
    assert "typer" in loaded  # the probe did run the CLI
    heavy = {"octavo.api", "octavo.model", "octavo.plugins", "octavo.batch", "importlib.metadata"}
    assert not loaded & heavy
    assert not {m for m in loaded if m.startswith(("octavo.readers", "octavo.writers"))}


def test_the_cli_gives_typer_evaluated_annotations() -> None:
    """String annotations make Typer eval() each one on every start (~10 ms)."""
    from octavo import cli

    for command in (cli.convert, cli.bind, cli.inspect, cli._root):
        assert not any(isinstance(a, str) for a in command.__annotations__.values()), command


def test_the_importlib_metadata_backport_keeps_the_cache_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """dask imports the backport, whose finder searches sys.path just like the standard one."""
    backport = pytest.importorskip("importlib_metadata")
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, backport.MetadataPathFinder()])
    assert plugins._search_path() is not None
