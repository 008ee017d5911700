"""Importing patent records: the USPTO formats on real samples, JSON Lines, CSV; idempotent; bad records reported."""
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.patents.numbers import normalise_application_number, normalise_publication_number
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "uspto-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.exists(),
                                   reason="../shared/data/uspto-samples is absent (a clone without shared data)")


def patent(number: str) -> Patent:
    return db.session.scalar(select(Patent).where(Patent.publication_number == number))


def count() -> int:
    return db.session.scalar(select(func.count(Patent.id)))


def bulk_file(tmp_path: Path, *names: str) -> Path:
    """A weekly-style bulk file: the documents one after another, each with its own declaration."""
    path = tmp_path / "bulk.xml"
    path.write_bytes(b"".join((SAMPLES / name).read_bytes().rstrip() + b"\n" for name in names))
    return path


@needs_samples
def test_grant_v45_fields_land_where_they_belong(runner):
    result = runner.invoke(args=["patents", "import", str(SAMPLES / "xml2014/US08926509.xml")])
    assert result.exit_code == 0 and "added 1, updated 0, unchanged 0, errors 0" in result.output
    record = patent("US8926509")
    assert (record.country, record.kind_code, record.patent_type) == ("US", "B2", "invention")
    assert record.application_number == "US12134151" and record.filing_date == date(2008, 6, 5)
    assert record.publication_date == record.grant_date == date(2015, 1, 6)
    assert record.title.startswith("Wireless physiological sensor patches")
    assert record.values("applicants") == ["Hmicro, Inc."]
    assert "Surendar Magar" in record.values("inventors")
    assert "A61B 5/00" in record.values("ipc") and "A61B 5/0205" in record.values("cpc")
    assert record.abstract and record.claims.count("\n") > 10 and record.legal_status == "granted"


@needs_samples
def test_design_patent_keeps_its_locarno_class(runner):
    runner.invoke(args=["patents", "import", str(SAMPLES / "sgml/USD435854S1.xml")])
    record = patent("USD435854")
    assert record.patent_type == "design" and record.kind_code == "S"
    assert record.values("locarno") == ["14-02"] and record.ipc == ""
    assert record.title == "Disc cartridge" and "Hitachi Maxell, Ltd." in record.values("applicants")


@needs_samples
@pytest.mark.parametrize("name, number, kind, applicant, ipc", [
    ("xml2004/US06859910.xml", "US6859910", "B2", "Bluestreak.com", "G06F 15/00"),
    ("xml2006/US07272630B2.xml", "US7272630", "B2", "Microsoft Corporation", "G06F 15/13"),
    ("xmlApp2004/US20050004974A1.xml", "US20050004974", "A1", "Xerox Corporation", "G06F 15/16"),
    ("pap/US20010000943A1.xml", "US20010000943", "A1", "IDEMITSU KOSAN CO., LTD.", "H01J 1/62"),
    ("sgml/US06337117.xml", "US6337117", "B1", "Mitsubishi Chemical Corporation", "B32B 3/02"),
])
def test_each_format_on_its_real_sample(runner, name, number, kind, applicant, ipc):
    runner.invoke(args=["patents", "import", str(SAMPLES / name)])
    record = patent(number)
    assert record.kind_code == kind and applicant in record.values("applicants") and ipc in record.values("ipc")
    assert record.title and record.abstract and record.claims and record.inventors


@needs_samples
def test_weekly_bulk_file_imports_every_document_and_reimport_changes_nothing(runner, tmp_path):
    path = bulk_file(tmp_path, "xml2014/US08926509.xml", "xml2014/US08927118.xml", "xml2014/US08930553.xml",
                     "xmlApp2004/US20050004437A1.xml")
    first = runner.invoke(args=["patents", "import", str(path)])
    assert "added 4, updated 0, unchanged 0, errors 0" in first.output
    second = runner.invoke(args=["patents", "import", str(path)])
    assert "added 0, updated 0, unchanged 4, errors 0" in second.output
    assert count() == 4


@needs_samples
def test_a_bad_document_is_reported_with_its_position_and_the_rest_imported(runner, tmp_path):
    good = (SAMPLES / "xml2014/US08926509.xml").read_bytes()
    broken = b'<?xml version="1.0"?>\n<us-patent-grant><us-bibliographic-data-grant/></us-patent-grant>\n'
    unknown = b'<?xml version="1.0"?>\n<lamp>not a patent</lamp>\n'
    path = tmp_path / "mixed.xml"
    path.write_bytes(broken + good + unknown)
    result = runner.invoke(args=["patents", "import", str(path)])
    assert "error at document 1 (line 1): no publication number" in result.output
    assert "unknown document type <lamp>" in result.output and "document 3 (line" in result.output
    assert "added 1, updated 0, unchanged 0, errors 2" in result.output


def test_json_lines_with_chinese_records_and_updates(runner, tmp_path):
    path = tmp_path / "demo.jsonl"
    records = [
        {"country": "CN", "publication_number": "CN305123456S", "patent_type": "design",
         "application_number": "CN 2021 3 0123456.7", "filing_date": "2021-03-01", "publication_date": "2021-06-15",
         "title": "吸顶灯（LED-01）", "applicants": "中山市古镇华辉灯饰有限公司", "locarno": "26-05",
         "legal_status": "有效"},
        {"country": "CN", "publication_number": "CN214123456U", "patent_type": "utility_model",
         "title": "一种LED吸顶灯", "ipc": ["F21S 8/04", "F21V 23/00"], "applicants": ["中山市古镇明珠照明电器厂"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\nnot json\n",
                    encoding="utf-8")
    result = runner.invoke(args=["patents", "import", str(path)])
    assert "added 2, updated 0, unchanged 0, errors 1" in result.output and "error at line 4: not JSON" in result.output
    design = patent("CN305123456")
    assert design.kind_code == "S" and design.application_number == "CN202130123456.7"
    assert patent("CN214123456").values("ipc") == ["F21S 8/04", "F21V 23/00"]
    records[0]["legal_status"] = "失效"
    path.write_text(json.dumps(records[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert "added 0, updated 1" in runner.invoke(args=["patents", "import", str(path)]).output
    assert patent("CN305123456").legal_status == "失效"


def test_csv_with_the_documented_columns(runner, tmp_path):
    path = tmp_path / "patents.csv"
    path.write_text(
        "country,publication_number,kind_code,patent_type,title,applicants,ipc,publication_date\n"
        "CN,CN213000001U,U,utility_model,一种可调光台灯,甲公司;乙公司,F21S 6/00,2021-01-05\n"
        "CN,CN213000002U,U,rocket,火箭灯,,,2021-01-05\n"
        "CN,CN213000003U,U,utility_model,壁灯,,,2021-13-45\n", encoding="utf-8")
    result = runner.invoke(args=["patents", "import", str(path)])
    assert "added 1, updated 0, unchanged 0, errors 2" in result.output
    assert "error at line 3: patent_type must be one of" in result.output
    assert "error at line 4: publication_date is not a date" in result.output
    assert patent("CN213000001").values("applicants") == ["甲公司", "乙公司"]


def test_unreadable_format_and_missing_file_get_clear_messages(runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")
    assert "cannot tell the format of notes.txt" in runner.invoke(args=["patents", "import", str(path)]).output
    missing = runner.invoke(args=["patents", "import", str(tmp_path / "nope.xml")])
    assert missing.exit_code != 0 and "does not exist" in missing.output


@pytest.mark.parametrize("text, expected", [
    ("CN 2021 3 0123456.7", "CN202130123456.7"), ("CN202130123456.7", "CN202130123456.7"),
    ("202130123456.7", "CN202130123456.7"), ("ZL202130123456.7", "CN202130123456.7"),
    ("US 012/134,151", "US12134151"), ("US12134151", "US12134151"),
])
def test_application_numbers_in_any_form_are_the_same(text, expected):
    assert normalise_application_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("US 08926509 B2", ("US8926509", "B2")), ("US8926509", ("US8926509", None)),
    ("USD0435854S", ("USD435854", "S")), ("CN305123456S", ("CN305123456", "S")),
])
def test_publication_numbers_with_and_without_leading_zeros_are_the_same(text, expected):
    assert normalise_publication_number(text) == expected
