"""Hostile input is refused with QB912 (never expanded or unpacked) and a failed import writes nothing."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from qbank.cli import main
from qbank.importers import ImportFailedError, import_bank, write_import
from qbank.io.safe import MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext></question></quiz>
"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="essay"><questiontext><text>&lol3;</text></questiontext></question></quiz>
"""
ITEM = b"""<?xml version="1.0"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q1" title="q1">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
<correctResponse><value>A</value></correctResponse></responseDeclaration>
<itemBody><choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
<prompt>Pick</prompt><simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice>
</choiceInteraction></itemBody></assessmentItem>
"""


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "payload", [XXE, LAUGHS, XXE.decode().encode("utf-16")], ids=["xxe", "billion-laughs", "xxe-utf16"]
)
def test_entity_declarations_are_refused(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(payload)
    result = import_bank(path, "moodle")
    assert result.imported == 0
    assert [d.code for d in result.diagnostics] == ["QB912"]
    assert "DOCTYPE" in result.diagnostics[0].message
    assert result.failed


def test_plain_doctype_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE assessmentItem>\n' + ITEM.split(b"\n", 1)[1])
    assert import_bank(path, "qti").imported == 1


def test_malformed_xml_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<quiz>\n<question type='essay'>\n</quiz>\n")
    result = import_bank(path, "moodle")
    assert [(d.code, d.line) for d in result.diagnostics] == [("QB003", 3)]


def _package_with(entry: zipfile.ZipInfo | str, data: bytes = b"x") -> bytes:
    return _zip([("items/q1.xml", ITEM), (entry, data)])


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("items/link.png")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("package", "words"),
    [
        (_package_with("../../evil.txt"), "zip slip"),
        (_package_with("/etc/evil.txt"), "zip slip"),
        (_package_with("C:/evil.txt"), "zip slip"),
        (_package_with("a\\..\\..\\evil.txt"), "zip slip"),
        (_package_with(_symlink(), b"/etc/passwd"), "symbolic link"),
        (_zip([("items/q1.xml", ITEM), ("bomb.txt", b"\0" * (20 * 1024 * 1024))]), "zip bomb"),
    ],
    ids=["dotdot", "absolute", "drive", "backslash", "symlink", "ratio-bomb"],
)
@pytest.mark.parametrize("fmt", ["qti", "canvas"])
def test_hostile_archives_are_refused(tmp_path: Path, package: bytes, words: str, fmt: str) -> None:
    path = tmp_path / "pkg.zip"
    path.write_bytes(package)
    result = import_bank(path, fmt)
    assert result.imported == 0
    assert [d.code for d in result.diagnostics] == ["QB912"]
    assert words in result.diagnostics[0].message


def test_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"f{i}", b"")
    path.write_bytes(buffer.getvalue())
    result = import_bank(path, "qti")
    assert [d.code for d in result.diagnostics] == ["QB912"]
    assert "entries" in result.diagnostics[0].message


def test_declared_size_over_the_total_limit(tmp_path: Path) -> None:
    # many well-compressing entries whose sizes add up past the cap
    chunk = b"\0" * (1024 * 1024)
    count = MAX_UNPACKED_BYTES // len(chunk) + 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"f{i}.bin", chunk)
    path = tmp_path / "big.zip"
    path.write_bytes(buffer.getvalue())
    result = import_bank(path, "qti")
    assert [d.code for d in result.diagnostics] == ["QB912"]
    assert "more than" in result.diagnostics[0].message


def test_a_failed_import_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(ITEM)
    evil = tmp_path / "evil.xml"
    evil.write_bytes(XXE.replace(b"quiz", b"assessmentItem"))
    result = import_bank([good, evil], "qti")
    assert result.imported == 1
    assert result.failed
    out = tmp_path / "out"
    with pytest.raises(ImportFailedError):
        write_import(result, out)
    assert not out.exists()
    assert main(["import", str(good), str(evil), "--from", "qti", "-o", str(out)]) == 1
    assert not out.exists()


@pytest.mark.parametrize("qtype", ["common", "read", "question", "__init__", "random", "multianswer"])
def test_moodle_question_types_are_read_from_a_fixed_table(tmp_path: Path, qtype: str) -> None:
    # a type attribute never reaches an attribute lookup: unknown ones are skipped with a located note
    path = tmp_path / "quiz.xml"
    path.write_text(
        f'<quiz>\n<question type="{qtype}"><name><text>x</text></name>'
        '<questiontext format="html"><text>Which?</text></questiontext></question>\n</quiz>\n',
        encoding="utf-8",
    )
    result = import_bank(path, "moodle")
    assert result.imported == 0
    assert [(d.code, d.line) for d in result.diagnostics] == [("QB910", 2)]
    assert result.diagnostics[0].message.startswith("not imported:")
