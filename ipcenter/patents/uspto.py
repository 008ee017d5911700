"""Readers for the USPTO full-text formats.

Bulk files concatenate many documents, each with its own XML declaration; they are
split at those declarations and parsed one document at a time, so memory stays flat
whatever the file's size. Each reader returns the fields of `Patent` as a dict.
"""
import re
from collections.abc import Iterator
from datetime import date

from lxml import etree

from .numbers import normalise_application_number, normalise_publication_number

PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class BadRecord(ValueError):
    """A document that cannot be read; the message says what is missing."""


def split_documents(stream) -> Iterator[tuple[int, bytes, int]]:
    """(line where the document starts, its bytes, bytes read so far) for each document in the stream."""
    lines: list[bytes] = []
    start, consumed, line_number = 1, 0, 0
    for line in stream:
        line_number += 1
        consumed += len(line)
        if line.lstrip().startswith(b"<?xml") and any(part.strip() for part in lines):
            yield start, b"".join(lines), consumed - len(line)
            lines, start = [], line_number
        lines.append(line)
    if any(part.strip() for part in lines):
        yield start, b"".join(lines), consumed


def _text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip() if node is not None else ""


def _first(root, *paths) -> str:
    for path in paths:
        value = _text(root.find(path))
        if value:
            return value
    return ""


def _date(value: str) -> date | None:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 8 or digits.endswith("00"):
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def format_ipc(text: str) -> str:
    """`G06F017/60`, `7H01L 21/00`, `A61B  5/00` -> `G06F 17/60`."""
    match = re.search(r"([A-H]\d{2}[A-Z])\s*0*(\d+)\s*/\s*(\d+)", text or "")
    return f"{match.group(1)} {match.group(2)}/{match.group(3)}" if match else (text or "").strip()


def format_st32_ipc(text: str) -> str:
    """ST.32's fixed columns: `G06F 1516` -> `G06F 15/16`, `B32B  302` -> `B32B 3/02`."""
    main, subgroup = text[4:7].strip(), text[7:].strip()
    if not (re.fullmatch(r"[A-H]\d{2}[A-Z]", text[:4]) and main.isdigit() and subgroup.isdigit()):
        return text.strip()
    return f"{text[:4]} {int(main)}/{subgroup}"


def format_locarno(text: str) -> str:
    """`1402` or `14-02` -> `14-02`."""
    digits = re.sub(r"\D", "", text or "")
    return f"{digits[:2]}-{digits[2:4]}" if len(digits) >= 4 else digits


def _unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _person(node) -> str:
    organisation = _first(node, ".//orgname")
    if organisation:
        return organisation
    return " ".join(part for part in (_first(node, ".//first-name"), _first(node, ".//last-name")) if part)


def _ipcr(node) -> str:
    parts = [_first(node, name) for name in ("section", "class", "subclass", "main-group", "subgroup")]
    return f"{parts[0]}{parts[1]}{parts[2]} {parts[3]}/{parts[4]}" if all(parts) else ""


def read_v4(root) -> dict:
    """us-patent-grant and us-patent-application, DTD v4.0 to v4.5."""
    grant = root.tag == "us-patent-grant"
    biblio = root.find("us-bibliographic-data-grant" if grant else "us-bibliographic-data-application")
    if biblio is None:
        raise BadRecord("no bibliographic data")
    publication = biblio.find("publication-reference/document-id")
    if publication is None or not _first(publication, "doc-number"):
        raise BadRecord("no publication number")
    country = _first(publication, "country") or "US"
    number, kind = normalise_publication_number(_first(publication, "doc-number"), country)
    kind = _first(publication, "kind") or kind
    application = biblio.find("application-reference")
    published = _date(_first(publication, "date"))
    ipc = [_ipcr(n) for n in biblio.findall("classifications-ipcr/classification-ipcr")]
    ipc += [format_ipc(_text(n)) for n in biblio.findall("classification-ipc/main-classification")]
    ipc += [format_ipc(_text(n)) for n in biblio.findall("classification-ipc/further-classification")]
    cpc = [_ipcr(n) for n in biblio.findall("classifications-cpc//classification-cpc")]
    locarno = [format_locarno(_text(n)) for n in biblio.findall("classification-locarno/main-classification")]
    applicants = (biblio.findall("parties/applicants/applicant")
                  + biblio.findall("us-parties/us-applicants/us-applicant"))
    inventors = biblio.findall("parties/inventors/inventor") + biblio.findall("us-parties/inventors/inventor")
    if not inventors:  # before v4.3 inventors were listed as applicants
        inventors = [a for a in applicants if "inventor" in a.get("app-type", "")]
    # The applicant a searcher means is the owner: assignees, and applicants who are not the inventors.
    inventor_names = {_person(n) for n in inventors}
    owners = [_person(n) for n in biblio.findall("assignees/assignee")]
    owners += [_person(n) for n in applicants if _person(n) not in inventor_names]
    appl_type = application.get("appl-type", "") if application is not None else ""
    return {
        "country": country, "publication_number": number, "kind_code": kind,
        "patent_type": "design" if appl_type == "design" or (kind or "").startswith("S") else "invention",
        "application_number": normalise_application_number(
            _first(application, "document-id/doc-number"), country) if application is not None else None,
        "filing_date": _date(_first(application, "document-id/date")) if application is not None else None,
        "publication_date": published, "grant_date": published if grant else None,
        "title": _first(biblio, "invention-title"),
        "abstract": _text(root.find("abstract")),
        "claims": "\n".join(_text(claim) for claim in root.findall("claims/claim")),
        "applicants": _unique(owners or [_person(n) for n in applicants]),
        "inventors": _unique(_person(n) for n in inventors),
        "ipc": _unique(ipc), "cpc": _unique(cpc), "locarno": _unique(locarno),
        "legal_status": "granted" if grant else "published",
    }


def read_st32(root) -> dict:
    """PATDOC: the ST.32 XML grants of 2001; a design patent's B511 is its Locarno class."""
    biblio = root.find("SDOBI")
    if biblio is None or not _first(biblio, "B100/B110"):
        raise BadRecord("no publication number")
    country = _first(biblio, "B100/B190") or "US"
    number, _ = normalise_publication_number(_first(biblio, "B100/B110"), country)
    kind = _first(biblio, "B100/B130") or None
    design = number[len(country):].startswith("D") or kind == "S"
    # ST.32 classes are in fixed columns: keep their spacing.
    main_class = "".join(biblio.find("B500/B510/B511").itertext()) if biblio.find("B500/B510/B511") is not None \
        else ""
    further = ["".join(n.itertext()) for n in biblio.findall("B500/B510/B512")]
    published = _date(_first(biblio, "B100/B140"))
    return {
        "country": country, "publication_number": number, "kind_code": kind,
        "patent_type": "design" if design else "invention",
        "application_number": normalise_application_number(_first(biblio, "B200/B210"), country),
        "filing_date": _date(_first(biblio, "B200/B220")),
        "publication_date": published, "grant_date": published,
        "title": _first(biblio, "B500/B540"),
        "abstract": _text(root.find("SDOAB")),
        "claims": "\n".join(_text(claim) for claim in root.findall("SDOCL/CL/CLM")),
        "applicants": _unique(_text(n) for n in biblio.findall("B700/B730/B731/PARTY-US/NAM/ONM")),
        "inventors": _unique(" ".join(p for p in (_first(n, "NAM/FNM"), _first(n, "NAM/SNM")) if p)
                             for n in biblio.findall("B700/B720/B721/PARTY-US")),
        "ipc": [] if design else _unique(format_st32_ipc(c) for c in [main_class, *further]),
        "cpc": [], "locarno": [format_locarno(main_class)] if design and main_class else [],
        "legal_status": "granted",
    }


def read_pap(root) -> dict:
    """patent-application-publication: the pre-grant publications of 2001 (v1.5)."""
    biblio = root.find("subdoc-bibliographic-information")
    if biblio is None or not _first(biblio, "document-id/doc-number"):
        raise BadRecord("no publication number")
    number, _ = normalise_publication_number(_first(biblio, "document-id/doc-number"), "US")
    names = [" ".join(p for p in (_first(n, "name/given-name"), _first(n, "name/family-name")) if p)
             for n in biblio.findall("inventors/first-named-inventor") + biblio.findall("inventors/inventor")]
    return {
        "country": "US", "publication_number": number, "kind_code": _first(biblio, "document-id/kind-code") or None,
        "patent_type": "invention",
        "application_number": normalise_application_number(
            _first(biblio, "domestic-filing-data/application-number/doc-number"), "US"),
        "filing_date": _date(_first(biblio, "domestic-filing-data/filing-date")),
        "publication_date": _date(_first(biblio, "document-id/document-date")), "grant_date": None,
        "title": _first(biblio, "technical-information/title-of-invention"),
        "abstract": _text(root.find("subdoc-abstract")),
        "claims": "\n".join(_text(claim) for claim in root.findall("subdoc-claims/claim")),
        "applicants": _unique(_text(n) for n in biblio.findall("assignee/organization-name")) or _unique(names),
        "inventors": _unique(names),
        "ipc": _unique(format_ipc(_text(n)) for n in biblio.findall(".//classification-ipc-primary/ipc")
                       + biblio.findall(".//classification-ipc-secondary/ipc")),
        "cpc": [], "locarno": [], "legal_status": "published",
    }


READERS = {"us-patent-grant": read_v4, "us-patent-application": read_v4, "PATDOC": read_st32,
           "patent-application-publication": read_pap}


def read_document(data: bytes) -> dict:
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as error:
        raise BadRecord(f"not XML: {error}") from None
    if root is None:
        raise BadRecord("not XML")
    reader = READERS.get(root.tag)
    if reader is None:
        raise BadRecord(f"unknown document type <{root.tag}>")
    record = reader(root)
    if not record["title"]:
        raise BadRecord("no title")
    return record
