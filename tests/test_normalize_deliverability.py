from __future__ import annotations

from pathlib import Path

import pytest
from normalize_support import found, frame

from crmclean.errors import UserError
from crmclean.normalize.emails.columns import normalize_emails
from crmclean.normalize.emails.deliverability import check_deliverability, undeliverable
from crmclean.rules import Rules

LIVE = {"gmail.com", "acme.com.br"}


def known(host: str) -> bool:
    """A stand-in DNS that knows two domains (the real one needs the network)."""
    return host in LIVE


def test_addresses_of_dead_domains_are_flagged_and_kept() -> None:
    cells = ["ana@acme.com.br; ana@dead-domain.example.org", "bia@gmail.com", None]
    emails = normalize_emails(frame(email=cells)).frame
    step = undeliverable(emails, known)
    assert step.frame.equals(emails)
    assert found(step.findings) == [
        (
            "1",
            "email",
            "EM06",
            "email.undeliverable",
            "warning",
            "ana@dead-domain.example.org",
            None,
        )
    ]


def test_unreachable_dns_is_a_user_error() -> None:
    emails = normalize_emails(frame(email=["ana@acme.com.br"])).frame
    with pytest.raises(UserError, match="needs DNS"):
        undeliverable(emails, lambda host: False)


def test_without_the_option_nothing_is_asked() -> None:
    emails = normalize_emails(frame(email=["ana@dead-domain.example.org"])).frame
    assert check_deliverability(emails, Rules()).findings.is_empty()


def test_the_cli_flag_runs_the_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crmclean.cli import main

    source = tmp_path / "contatos.csv"
    source.write_text("nome,telefone\nAna Lima,(11) 98765-4321\n", encoding="utf-8")
    out = tmp_path / "clean.csv"
    args = ["clean", str(source), "--out", str(out), "--check-deliverability"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "+5511987654321" in out.read_text(encoding="utf-8")
