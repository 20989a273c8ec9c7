"""``crmclean review`` as a user starts it: a URL with a token on 127.0.0.1, refused without
the token, a clean stop on Ctrl-C; ``dedupe`` and ``migrate plan`` say how many pairs wait
for review and the command that reviews them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from crmclean.cli import main
from crmclean.review.run import review_run
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

ROOT = Path(__file__).resolve().parent.parent
CONTACTS = """id,first_name,last_name,city
1,Ieda,Zanetti,Recife
2,Ieda,Zanetti,Recife
3,Otavio,Brandao,Natal
4,Otavio,Brandao,Natal
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "contatos.csv").write_text(CONTACTS, encoding="utf-8")
    project = tmp_path / "crmclean.yml"
    project.write_text("sources:\n  - path: contatos.csv\ntarget: crm.db\n", encoding="utf-8")
    return project


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _post(url: str, body: dict[str, str] | str) -> int:
    data = (body if isinstance(body, str) else json.dumps(body)).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_review_serves_a_tokened_url_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    project = _project(tmp_path)
    command = [
        sys.executable,
        "-c",
        "from crmclean.cli import main; main()",
        "review",
        str(project),
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("Review page: http://127.0.0.1:"), line
        url = line.split(": ", 1)[1].strip()
        assert _status(url) == 200
        assert _status(url.split("?")[0]) == 403
        state = url.replace("/?", "/api/state?")
        with urllib.request.urlopen(state, timeout=10) as response:
            assert json.load(response)["total"] == 2
        answer = url.replace("/?", "/api/answer?")
        assert _post(answer, {"key": "999-1000", "answer": "same"}) == 400
        assert _post(answer, {"key": "0-1", "answer": "maybe"}) == 400
        assert _post(answer, {"key": "zero", "answer": "same"}) == 400
        assert _post(answer, "not json") == 400
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "every answer is in the decisions file" in err
    assert (tmp_path / "decisions.csv").read_text().startswith("source_a,source_id_a")
    assert not (tmp_path / "crm.db").exists()  # reviewing never creates the target


def test_dedupe_and_migrate_plan_say_what_waits_for_review(tmp_path: Path) -> None:
    project = _project(tmp_path)
    source = tmp_path / "contatos.csv"
    result = CliRunner().invoke(
        main, ["dedupe", str(source), "--crosswalk", str(tmp_path / "c.csv")]
    )
    assert result.exit_code == 0, result.output
    expected = f"2 pairs wait for review: crmclean review {source} --decisions decisions.csv"
    assert expected in result.output
    result = CliRunner().invoke(main, ["migrate", "plan", str(project)])
    assert "2 pairs wait for review: crmclean review " + str(project) in result.output
    result = CliRunner().invoke(main, ["migrate", "plan", str(project), "--json"])
    assert json.loads(result.output)["review"] == {
        "pairs": 2,
        "command": f"crmclean review {project}",
    }


def test_review_takes_the_dedupe_training_pairs(tmp_path: Path) -> None:
    """``--training-pairs`` works on ``review`` as on ``dedupe`` (m learned from them, kept
    when the page re-learns), and the review command ``dedupe`` prints carries it."""
    _project(tmp_path)
    source, training = tmp_path / "contatos.csv", tmp_path / "labelled.csv"
    training.write_text(
        "source_a,source_id_a,source_b,source_id_b,match\n"
        "contatos,1,contatos,2,1\ncontatos,1,contatos,3,0\n",
        encoding="utf-8",
    )
    dedupe = ["dedupe", str(source), "--crosswalk", str(tmp_path / "c.csv")]
    result = CliRunner().invoke(main, [*dedupe, "--training-pairs", str(training)])
    assert result.exit_code == 0, result.output
    assert f"--decisions decisions.csv --training-pairs {training}" in result.output
    run = review_run([SourceSpec(source)], Rules(), tmp_path / "d.csv", training_pairs=training)
    assert run.training is not None
    assert sorted(run.training.rows()) == [(0, 1, True), (0, 2, False)]
    command = [sys.executable, "-c", "from crmclean.cli import main; main()", "review"]
    command += [str(source), "--training-pairs", str(training), "--decisions", "d.csv"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=tmp_path,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("Review page: http://127.0.0.1:"), line
        state = line.split(": ", 1)[1].strip().replace("/?", "/api/state?")
        with urllib.request.urlopen(state, timeout=10) as response:
            assert json.load(response)["total"] == 2
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
