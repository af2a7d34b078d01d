"""Plugins come from entry points; a third party adds a format with no change to octavo."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from octavo import plugins
from octavo.errors import PluginError, UnknownFormatError


def test_builtins_are_registered_as_entry_points():
    assert {"text", "json"} <= set(plugins.reader_entry_points())
    assert {"epub", "pdf"} <= set(plugins.writer_entry_points())
    assert plugins.reader_extensions()[".txt"] == "text"


def test_reader_chosen_by_extension_then_content():
    assert plugins.reader_for("a.TXT") == "text"
    assert plugins.reader_for("dump", b'{"octavo-model": 1}') == "json"
    with pytest.raises(UnknownFormatError) as info:
        plugins.reader_for("photo.jpgx")
    assert "--from" in str(info.value)


def test_unknown_writer_lists_known_ones():
    with pytest.raises(UnknownFormatError) as info:
        plugins.load_writer("docx")
    assert "epub" in str(info.value) and "pdf" in str(info.value)


def _install_fake_plugin(tmp_path: Path, name: str, value: str, module_source: str) -> None:
    dist = tmp_path / "demo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[octavo.writers]\n{name} = {value}\n")
    (tmp_path / "demo_plugin.py").write_text(textwrap.dedent(module_source))


def test_third_party_writer_is_listed_and_used(tmp_path):
    _install_fake_plugin(tmp_path, "shout", "demo_plugin:ShoutWriter", """
        from octavo.model import block_text
        class ShoutWriter:
            name = "shout"
            extension = ".shout"
            def write(self, book, out, options):
                text = "\\n".join(block_text(b) for a in book.articles for b in a.body)
                out.write(text.upper().encode())
    """)
    seed = Path(__file__).parent / "data" / "text" / "gum_news_stampede.txt"
    script = f"""
import sys; sys.path.insert(0, {str(tmp_path)!r})
from octavo import plugins
assert "shout" in plugins.writer_entry_points(), plugins.writer_entry_points()
import octavo
result = octavo.convert({str(seed)!r}, to=["shout"], output_dir={str(tmp_path / 'out')!r})
print(result.outputs[0].read_text()[:40])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "THE PLAINS OF ARAFAT" in out.stdout, out.stderr


def test_broken_plugin_is_a_plugin_error(tmp_path, monkeypatch):
    _install_fake_plugin(tmp_path, "broken", "demo_plugin:Missing", "X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.clear_caches()
    try:
        with pytest.raises(PluginError) as info:
            plugins.load_writer("broken")
        assert "failed to load" in str(info.value)
    finally:
        monkeypatch.undo()
        plugins.clear_caches()


def test_help_imports_no_writer_library():
    code = ("import sys, runpy; sys.argv=['octavo','--help'];\n"
            "try:\n runpy.run_module('octavo', run_name='__main__')\nexcept SystemExit: pass\n"
            "bad=[m for m in ('reportlab','ebooklib','pyphen','numpy','py3langid') if m in sys.modules]\n"
            "print('LOADED', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr


def test_the_builtin_extension_table_matches_the_readers_own_declarations():
    eps = plugins.reader_entry_points()
    for name, extensions in plugins.BUILTIN_EXTENSIONS.items():
        assert eps[name].value == plugins._BUILTIN_READERS[name]
        assert plugins._load(eps[name], "reader").extensions == extensions


def test_choosing_a_reader_by_extension_imports_no_reader_module():
    code = textwrap.dedent("""
        import sys
        from octavo import plugins
        assert plugins.reader_for("a.txt") == "text"
        assert plugins.reader_for("a.htm") == "html"
        print(sorted(m for m in sys.modules if m.startswith("octavo.readers")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
