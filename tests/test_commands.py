"""The management commands: thin wrappers with clear output and exit status."""
import pytest
from django.core.management import CommandError, call_command

from kb.models import Article
from tests.corpus import FILES

pytestmark = pytest.mark.django_db


def test_load_content_prints_a_summary(content_dir, capsys):
    call_command("load_content")
    assert capsys.readouterr().out.strip() == f"{len(FILES)} created, 0 updated, 0 removed, 0 unchanged"
    call_command("load_content")
    assert capsys.readouterr().out.strip() == f"0 created, 0 updated, 0 removed, {len(FILES)} unchanged"


def test_load_content_dry_run_writes_nothing(content_dir, capsys):
    call_command("load_content", "--dry-run")
    assert capsys.readouterr().out.startswith("would be: ")
    assert Article.objects.count() == 0


def test_load_content_reports_every_error_and_fails(content_dir, capsys):
    (content_dir / "mechanisms/cdc.md").write_text(
        (content_dir / "mechanisms/cdc.md").read_text().replace("[[adcc]]", "[[adc]]"))
    with pytest.raises(CommandError, match="1 error"):
        call_command("load_content")
    err = capsys.readouterr().err
    assert "mechanisms/cdc.md:7: unknown link target [[adc]] (did you mean 'adcc'?)" in err
    assert Article.objects.count() == 0


def test_check_content_passes_on_good_content(content_dir, capsys):
    call_command("check_content")
    assert capsys.readouterr().out.strip() == f"content OK: {len(FILES)} articles checked"


def test_check_content_fails_on_bad_content(content_dir, capsys):
    (content_dir / "topics/bad.md").write_text("no front matter")
    with pytest.raises(CommandError):
        call_command("check_content")
    assert "topics/bad.md:1: missing front matter" in capsys.readouterr().err
