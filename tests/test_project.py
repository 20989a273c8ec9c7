from pathlib import Path

import pytest

from crmclean.errors import UserError
from crmclean.project import _Project, _Source, load_project, target_url
from crmclean.urls import mask_url


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_resolve_against_the_project_folder(tmp_path: Path):
    (tmp_path / "my-rules").mkdir()
    project = load_project(
        write(
            tmp_path / "crmclean.yml",
            "name: acme\ndefault_region: pt\nrules: my-rules\nsources:\n"
            "  - path: data/a.csv\n    mapping: a.mapping.yaml\n  - path: /abs/b.xlsx\n"
            "    sheet: 1\n    name: event\ntarget: out/acme.db\n",
        )
    )
    first, second = project.sources
    assert first.path == tmp_path / "data/a.csv" and first.source_name == "a"
    assert first.mapping == tmp_path / "a.mapping.yaml"
    assert (
        second.path == Path("/abs/b.xlsx") and second.sheet == 1 and second.source_name == "event"
    )
    assert project.rules.default_region == "PT" and project.rules.directory == tmp_path / "my-rules"
    assert project.target == f"sqlite:///{tmp_path / 'out/acme.db'}"


def test_every_problem_is_reported_at_once(tmp_path: Path):
    path = write(tmp_path / "crmclean.yml", "sources: []\ntarget: x.db\ncolour: blue\n")
    with pytest.raises(UserError) as err:
        load_project(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert "sources" in message and "colour" in message


def test_missing_project_file_is_a_user_error(tmp_path: Path):
    with pytest.raises(UserError, match="file not found"):
        load_project(tmp_path / "nope.yml")


def test_urls_stay_and_passwords_are_masked(tmp_path: Path):
    url = "postgresql://crm:s3cret@db.local/crm"
    assert target_url(tmp_path, url) == url
    assert "s3cret" not in mask_url(url) and "***" in mask_url(url)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (
            "path: a.csv\n    url: sqlite://",
            r"exactly one of path, url, url_env \(got \['path', 'url'\]\)",
        ),
        ("connector: suitecrm", r"exactly one of path, url, url_env \(got none\)"),
        ("path: a.csv\n    table: contacts", "`table` and `query` apply to database sources"),
    ],
)
def test_a_source_is_a_file_or_a_database(tmp_path: Path, source: str, problem: str):
    project = tmp_path / "crmclean.yml"
    project.write_text(f"sources:\n  - {source}\n", encoding="utf-8")
    with pytest.raises(UserError, match=problem):
        load_project(project)


def test_every_project_key_is_on_the_reference_page() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "project.md").read_text("utf-8")
    keys = [*_Project.model_fields, *_Source.model_fields]
    assert [key for key in keys if f"| `{key}` |" not in page] == []
