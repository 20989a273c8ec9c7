"""``validate --html`` in real headless Chromium: every expectation in plain words, each
failure linked to its details (masked records, the fix, the rule file), no script errors, no
network, and a full-page screenshot in the test's temp folder."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_report_html_browser import (
    DevTools,
    _evaluate,
    _open,
    _screenshot,
    browser,
    page_problems,
    requested_urls,
)

from crmclean.cli import main

__all__ = ["browser"]  # the Chromium fixture

SOURCES = """id,Nome,E-mail,CPF,Atualizado em
1,Ana Souza,ana@exemplo.com.br,529.982.247-25,2024-01-10
2,Bruno Lima,bruno@exemplo.com.br,,2099-03-01
7,Carla Dias,carla@exemplo.com.br,123.456.789-00,2024-01-10
8,Diego Ramos,diego@exemplo.com,111.222.333-44,2024-01-10
"""
PAGE = """({
  title: document.querySelector('h1').textContent,
  verdict: document.querySelector('.verdict').textContent,
  meta: [...document.querySelectorAll('header .meta')].map(p => p.textContent).join(' '),
  rows: document.querySelectorAll('table.expectations tbody tr').length,
  headers: [...document.querySelectorAll('table.expectations th')].map(t => t.textContent),
  failed: [...document.querySelectorAll('table.expectations tr')]
    .filter(r => r.querySelector('td.bad'))
    .map(r => [...r.querySelectorAll('td')].slice(3).map(t => t.textContent).join(' ')),
  passed: document.querySelectorAll('table.expectations td.ok').length,
  links: [...document.querySelectorAll('table.expectations a')].map(a => a.hash),
  targets: [...document.querySelectorAll('section[id^=exp-]')].map(s => '#' + s.id),
  values: [...document.querySelectorAll('table.failing tbody td:last-child')]
    .map(t => t.textContent),
  fixes: document.querySelectorAll('.fixit').length,
  rules: [...document.querySelectorAll('p.rule a')].map(a => a.href),
  text: document.body.innerText,
})"""


def test_the_gate_report_reads_like_the_audit_report(browser: DevTools, tmp_path: Path) -> None:
    data = tmp_path / "contatos.csv"
    data.write_text(SOURCES, encoding="utf-8")
    page = tmp_path / "gate.html"
    args = ["validate", str(data), "--html", str(page), "--failures", str(tmp_path / "f.csv")]
    assert CliRunner().invoke(main, args).exit_code == 1
    _open(browser, page)
    found = _evaluate(browser, PAGE)
    assert (found["title"], found["verdict"]) == ("Load gate report", "Gate failed")
    assert str(data) in found["meta"] and "UTC" in found["meta"]
    assert "over 4 golden records and 2 golden companies" in found["meta"]  # from the e-mails
    assert "Company expectations" in found["text"]  # the company suite's part, after the contacts'
    assert found["rows"] == 19 + 7  # the contact suite, then the company suite
    assert found["headers"] == ["#", "What must hold", "Severity", "Result", "Failing"] * 2
    assert found["failed"] == ["failed 2 of 4", "failed 1 of 4"] and found["passed"] == 17 + 7
    assert found["links"] == found["targets"] and len(found["targets"]) == 2
    assert "No updated_at is a date in the future" in found["text"]
    assert "At least 95% of tax_id values are CPF or CNPJ" in found["text"]
    assert sorted(found["values"]) == ["***.***.***-00", "***.***.***-44", "2099-03-01"]
    assert "123.456.789-00" not in found["text"]  # masked
    assert found["fixes"] == 2
    assert all(href.endswith("/rules/expectations/contacts.json") for href in found["rules"])
    assert page_problems(browser) == []
    assert requested_urls(browser) == [page.as_uri()]
    shot = tmp_path / "gate.png"
    _screenshot(browser, shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
