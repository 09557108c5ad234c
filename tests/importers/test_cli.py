"""``qbank import``: exit codes, --force, output layout, and the written files load back."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.cli import main
from qbank.io.loader import load

GIFT = """$CATEGORY: $course$/top/Bank/1/1.2

// [id:kms-keys] [tag:security] [tag:difficulty-hard]
::kms-keys::[html]<p>Which service <strong>stores</strong> keys?</p>{
=KMS#right
~S3
####<p>Because.</p>
}

$CATEGORY: $course$/top/Bank/2

::Q2:: 2 + 2 = 4 {T}

::bad:: A description only
"""


@pytest.fixture
def gift_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank.gift.txt"
    path.write_text(GIFT, encoding="utf-8")
    return path


def test_import_writes_one_file_per_category(
    tmp_path: Path, gift_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["import", str(gift_file), "--from", "gift", "-o", str(out), "--format", "text"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["bank-1-1.2.yaml", "bank-2.yaml"]
    loaded = load([str(out)])
    assert not [d for d in loaded.diagnostics if d.severity.rank >= 2]
    by_id = {q.id: q for q in loaded.bank.questions}
    assert set(by_id) == {"kms-keys", "2-2-4"}
    kms = by_id["kms-keys"]
    assert (kms.domain, kms.objective, kms.difficulty, kms.tags) == ("1", "1.2", "hard", ["security"])
    assert kms.stem == "Which service **stores** keys?"
    assert kms.explanation == "Because."
    captured = capsys.readouterr()
    assert ":14:1: warning QB910" in captured.out  # the description, located
    assert "imported 2 of 3 questions" in captured.err


def test_strict_fails_on_skipped_items(tmp_path: Path, gift_file: Path) -> None:
    assert main(["import", str(gift_file), "--from", "gift", "-o", str(tmp_path / "o"), "--strict"]) == 1


def test_existing_files_need_force(
    tmp_path: Path, gift_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bank-2.yaml"
    target.write_text("keep me", encoding="utf-8")
    assert main(["import", str(gift_file), "--from", "gift", "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not (out / "bank-1-1.2.yaml").exists()  # checked before anything is written
    assert main(["import", str(gift_file), "--from", "gift", "-o", str(out), "--force"]) == 0
    assert "questions:" in target.read_text(encoding="utf-8")


def test_usage_errors(tmp_path: Path, gift_file: Path) -> None:
    assert main(["import", str(gift_file), "--from", "nope", "-o", str(tmp_path)]) == 2
    assert main(["import", str(tmp_path / "missing.xml"), "--from", "moodle", "-o", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()


def test_moodle_images_are_extracted(tmp_path: Path) -> None:
    xml = tmp_path / "q.xml"
    xml.write_text(
        """<?xml version="1.0"?>
<quiz><question type="essay"><name><text>x</text></name>
<questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/arch%20one.png" alt="arch"></p>]]></text>
<file name="arch one.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
<idnumber>arch-q</idnumber></question></quiz>""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["import", str(xml), "--from", "moodle", "-o", str(out)]) == 0
    media = list((out / "media").iterdir())
    assert len(media) == 1
    assert media[0].read_bytes() == b"\x89PNG\r\n\x1a\n"
    question = load([str(out)]).bank.questions[0]
    assert question.stem == f"See ![arch](media/{media[0].name})"
