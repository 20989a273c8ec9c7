"""Linking golden contacts to golden companies: CNPJ, domain, name, conflicts, created companies."""

from __future__ import annotations

import polars as pl

from crmclean.accounts.link import COMPANY_ID, LINK, REASON, created_id, link_contacts

COMPANIES = pl.DataFrame(
    {
        COMPANY_ID: ["c1", "c2", "c3", "c4", "c5"],
        "name": ["Acme Ltda", "Globex S.A.", "Initech", "Comercial Lima", "Comercial Lima ME"],
        "domain": ["acme.com.br", "globex.com", None, None, None],
        "cnpj": ["11.222.333/0001-81", None, "11.222.333/0002-62", None, None],
    }
)


def _contacts(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["golden_id", "company", "email", "company_domain", "tax_id"],
        orient="row",
    )


def _links(rules, rows):
    links = link_contacts(_contacts(rows), COMPANIES, rules)
    return {r["golden_id"]: r for r in links.contacts.iter_rows(named=True)}, links


def test_each_kind_of_evidence_links(rules):
    got, links = _links(
        rules,
        [
            ("g1", None, "ana@acme.com.br", None, None),  # domain
            ("g2", "GLOBEX SA", None, None, None),  # name without its legal form
            ("g3", None, None, None, "11222333000262"),  # full CNPJ: the branch
            ("g4", None, None, None, "11.222.333/0009-99"),  # root only: the head office
            ("g5", None, "bia@vendas.globex.com", None, None),  # subdomain? no: exact only
            ("g6", "Initech", None, "acme.com.br", None),  # website domain beats the name
            ("g7", "Acme Ltda", "caio@acme.com.br", None, "11.222.333/0001-81"),  # all agree
        ],
    )
    assert got["g1"][COMPANY_ID] == "c1" and got["g1"][LINK] == "domain"
    assert got["g2"][COMPANY_ID] == "c2" and got["g2"][LINK] == "name"
    assert got["g3"][COMPANY_ID] == "c3" and got["g3"][LINK] == "cnpj"
    assert got["g4"][COMPANY_ID] == "c1" and got["g4"][LINK] == "cnpj"
    assert got["g6"][COMPANY_ID] == "c1" and got["g6"][LINK] == "domain"
    assert got["g7"][COMPANY_ID] == "c1" and got["g7"][LINK] == "cnpj"
    conflicts = links.findings.filter(pl.col("rule") == "company.link_conflict")
    assert conflicts["_source_id"].to_list() == ["g6"]
    assert conflicts["before"][0] == "domain=c1, name=c3"


def test_free_mail_never_links_or_creates(rules):
    got, links = _links(
        rules,
        [
            ("g1", None, "ana@gmail.com", None, None),
            ("g2", None, "bia@mail.yahoo.com.br", None, None),
            ("g3", None, None, None, None),
        ],
    )
    assert [got[g][COMPANY_ID] for g in ("g1", "g2", "g3")] == [None, None, None]
    assert got["g1"][REASON] == "free-mail address only"
    assert got["g2"][REASON] == "free-mail address only"
    assert got["g3"][REASON] == "no company name, company e-mail domain or CNPJ"
    assert links.companies.filter(pl.col("origin") == "contacts").is_empty()


def test_ambiguous_name_links_nothing_and_says_why(rules):
    got, _ = _links(rules, [("g1", "Comercial Lima Ltda.", None, None, None)])
    assert got["g1"][COMPANY_ID] is None
    assert got["g1"][REASON] == "company name fits several golden companies"


def test_companies_seen_only_on_contacts_are_created_with_lineage(rules):
    got, links = _links(
        rules,
        [
            ("g1", "Padaria Estrela Ltda", "joao@padariaestrela.com.br", None, None),
            ("g2", "PADARIA ESTRELA", None, None, None),
            ("g3", None, "maria@padariaestrela.com.br", None, None),  # joins by domain
            ("g4", None, "rui@oficina-sul.com.br", None, None),  # a company by domain only
        ],
    )
    created = links.companies.filter(pl.col("origin") == "contacts").sort("domain")
    assert created["domain"].to_list() == ["oficina-sul.com.br", "padariaestrela.com.br"]
    bakery = created.row(1, named=True)
    assert bakery[COMPANY_ID] == created_id("name:padaria estrela")
    assert {got[g][COMPANY_ID] for g in ("g1", "g2", "g3")} == {bakery[COMPANY_ID]}
    assert got["g4"][COMPANY_ID] == created_id("domain:oficina-sul.com.br")
    assert all(got[g][LINK] == "created" for g in got)
    assert links.lineage.height == 4
    assert links.companies.filter(pl.col("origin") == "sources").height == COMPANIES.height


def test_creating_can_be_turned_off(rules, tmp_path):
    from crmclean.rules import Rules

    (tmp_path / "link.yaml").write_text("create_companies: false\n", encoding="utf-8")
    mine = Rules(directory=tmp_path)
    links = link_contacts(_contacts([("g1", "Nova", None, None, None)]), COMPANIES, mine)
    assert links.contacts[REASON].to_list() == ["company matches no golden company"]
    assert links.lineage.is_empty()


def test_audit_has_a_companies_section(tmp_path):
    import shutil
    from pathlib import Path

    from crmclean.audit import audit
    from crmclean.sources import SourceSpec

    data = Path(__file__).parent / "data" / "accounts"
    for name in ("accounts.csv", "contatos.csv"):
        shutil.copy(data / name, tmp_path / name)
    (tmp_path / "livres.csv").write_text(
        "Razão social,Website\nLoja da Bia,bia.loja@gmail.com\n", encoding="utf-8"
    )
    specs = [
        SourceSpec(tmp_path / "accounts.csv", connector="salesforce_account"),
        SourceSpec(tmp_path / "livres.csv"),
        SourceSpec(tmp_path / "contatos.csv"),
    ]
    section = audit(specs).to_dict()["companies"]
    assert section["records"] == 5 and section["golden"] == 4
    assert section["sources"] == {"accounts": 4, "livres": 1}  # like the contact sources
    assert (section["read"], section["rejected"]) == (5, 0)
    assert section["duplicate_companies"] == {"golden": 1, "records": 1}
    assert section["contacts"] == 5
    assert section["contacts_without_company"]["by_reason"] == {"free-mail address only": 1}
    assert section["companies_without_contacts"]["examples"] == ["Loja da Bia"]
    assert section["free_mail_company_domains"]["examples"] == [
        {"name": "Loja da Bia", "domain": "gmail.com"}
    ]


def test_a_name_shared_by_a_head_office_and_its_branches_links_the_head_office(rules):
    companies = pl.DataFrame(
        {
            COMPANY_ID: ["h", "b", "x", "y"],
            "name": ["Padaria Sol", "Padaria Sol", "Casa Azul", "Casa Azul"],
            "domain": [None, None, None, None],
            "cnpj": ["11222333000181", "11222333000262", "44555666000100", "77888999000100"],
        }
    )
    contacts = _contacts(
        [("g1", "PADARIA SOL LTDA", None, None, None), ("g2", "Casa Azul", None, None, None)]
    )
    got = link_contacts(contacts, companies, rules).contacts.sort("golden_id")
    assert got[COMPANY_ID].to_list() == ["h", None]  # two unrelated Casa Azul: ambiguous
    assert got[REASON].to_list() == [None, "company name fits several golden companies"]


def test_a_record_of_the_family_name_without_cnpj_keeps_the_head_office_link(rules):
    companies = pl.DataFrame(
        {
            COMPANY_ID: ["h", "b", "o"],  # the matcher left "o" apart: only the name ties it
            "name": ["Padaria Sol", "Padaria Sol", "PADARIA SOL LTDA"],
            "domain": [None, None, None],
            "cnpj": ["11222333000181", "11222333000262", None],
        }
    )
    contacts = _contacts([("g1", "Padaria Sol", None, None, None)])
    got = link_contacts(contacts, companies, rules).contacts
    assert got[COMPANY_ID].to_list() == ["h"]


def test_company_sources_are_in_the_run_stats_and_the_sources_table(tmp_path, rules):
    import io
    import shutil
    from pathlib import Path

    from rich.console import Console

    from crmclean.pipeline import run
    from crmclean.report.text import print_summary
    from crmclean.sources import SourceSpec

    data = Path(__file__).parent / "data" / "accounts"
    for name in ("accounts.csv", "contatos.csv"):
        shutil.copy(data / name, tmp_path / name)
    specs = [SourceSpec(tmp_path / "accounts.csv", connector="salesforce_account"),
             SourceSpec(tmp_path / "contatos.csv")]  # fmt: skip
    result = run(specs, rules, stop_before="validate")
    stats = result.to_dict()["stats"]
    assert stats["read:accounts"]["rows"] == 4 and stats["read:contatos"]["rows"] == 5
    shown = io.StringIO()
    print_summary(result, Console(file=shown, width=80))
    lines = shown.getvalue().splitlines()
    assert any("accounts" in line and "companies" in line and "4" in line for line in lines)
    assert any("contatos" in line and "contacts" in line and "5" in line for line in lines)


def test_links_without_some_contacts_are_those_of_the_contacts_left(rules):
    from crmclean.accounts.link import without_golden

    rows = [
        ("g1", None, "ana@acme.com.br", None, None),  # a golden company's domain
        ("g2", "Umbrella Corp", "bia@umbrella.com", None, None),  # created by name
        ("g3", "Umbrella", "caio@umbrella.io", None, None),  # the same key, another domain
        ("g4", "Umbrella Corp", "davi@umbrella.io", None, None),
        ("g5", None, "eva@umbrella.io", None, None),  # domain only: joins a named company
        ("g6", "Hooli", "fabio@shared.com", None, None),  # two names, one domain
        ("g7", "Pied Piper", "gil@shared.com", None, None),
        ("g8", None, "hugo@shared.com", None, None),  # its domain fits two names
        ("g9", None, "ines@solo.com", None, None),  # created by domain
        ("g10", "Initech", None, "acme.com.br", None),  # a conflict
    ]
    full = link_contacts(_contacts(rows), COMPANIES, rules)
    for removed in (["g2"], ["g3", "g4"], ["g6"], ["g9"], ["g10"], ["g2", "g3", "g4", "g5"]):
        left = [r for r in rows if r[0] not in removed]
        fresh = link_contacts(_contacts(left), COMPANIES, rules)
        kept = without_golden(full, pl.Series(removed))
        for name in ("contacts", "companies", "lineage", "findings"):
            ours, theirs = getattr(kept, name), getattr(fresh, name)
            assert ours.sort(pl.all()).equals(theirs.sort(pl.all())), (removed, name)
    before = dict(full.contacts.select("golden_id", COMPANY_ID).iter_rows())
    after = dict(
        without_golden(full, pl.Series(["g6"])).contacts.select("golden_id", COMPANY_ID).iter_rows()
    )
    assert before["g8"] != after["g8"] == after["g7"]  # shared.com now names one company
