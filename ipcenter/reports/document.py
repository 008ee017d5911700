"""The search report as a Word document: A4, on the center's letterhead, bilingual, with a CJK font named so
Chinese renders everywhere; attached to the case when the report is delivered."""
import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from ..calendar import center_today
from ..cases.operations import CaseRefused
from ..cases.signals import step_documents
from ..cases.workflow import Input
from .operations import ReportContents, report_contents

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CJK_FONT = "SimSun"  # Word's default Song face; LibreOffice maps it to Noto Serif CJK / Source Han
LATIN_FONT = "Times New Roman"
CATEGORY_NAMES = {"X": "X：单独影响新颖性或创造性 / relevant on its own",
                  "Y": "Y：与其他文件结合影响创造性 / relevant in combination",
                  "A": "A：一般现有技术 / background art"}
MODE_NAMES = {"query": "检索式 / query", "similar": "相似检索 / similar to a description"}
PURPOSES = {"novelty": "新颖性检索 / novelty", "infringement_risk": "侵权风险检索 / infringement risk",
            "freedom_to_operate": "自由实施检索 / freedom to operate"}


def _set_fonts(document: WordDocument) -> None:
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), CJK_FONT)
    document.styles["Normal"].font.size = Pt(10.5)


def _a4_letterhead(document: WordDocument, center: tuple[str, str]) -> None:
    """A4 (python-docx starts from US Letter), the center's names at the top of every page, ruled off."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    header = section.header.paragraphs[0]
    border = OxmlElement("w:pBdr")  # before the alignment: Word wants pPr's children in the schema's order
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{name}"), value)
    border.append(bottom)
    header._p.get_or_add_pPr().append(border)
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(center[0]).bold = True
    header.add_run().add_break()
    header.add_run(center[1]).font.size = Pt(9)


def _table(document: WordDocument, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text


def search_report_docx(contents: ReportContents) -> bytes:
    case = contents.case
    center = (current_app.config["CENTER_NAME_ZH"], current_app.config["CENTER_NAME_EN"])
    document = Document()
    _set_fonts(document)
    _a4_letterhead(document, center)
    properties = document.core_properties
    properties.author = properties.last_modified_by = center[0]
    properties.title = f"专利检索报告 Patent Search Report {case.reference}"
    properties.revision = contents.version
    title = document.add_heading("专利检索报告 Patent Search Report", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(document, ["项目 / Item", "内容 / Details"], [
        ["案件编号 / Case", case.reference],
        ["委托企业 / Enterprise", case.organisation.name_zh],
        ["检索目的 / Purpose", PURPOSES.get(case.retrieval_purpose or "", case.retrieval_purpose or "")],
        ["检索对象 / Subject", case.target_description or case.title],
        ["检索人员 / Searcher", case.assignee.display_name if case.assignee else ""],
        ["报告日期 / Date", center_today().isoformat()],
        ["版本 / Version", str(contents.version)],
    ])
    document.add_heading("一、检索式与检索过程 Searches run", level=1)
    _table(document, ["#", "方式 / Mode", "检索式 / Query", "命中 / Hits"],
           [[str(n), MODE_NAMES[r.mode], r.query, str(r.result_count)] for n, r in enumerate(contents.records, 1)])
    document.add_heading("二、相关文件 Cited documents", level=1)
    _table(document, ["类别 / Cat.", "公开号 / Publication", "名称 / Title", "申请人 / Applicant",
                      "公开日 / Published", "说明 / Note"],
           [[c.category, c.patent.display_number, c.patent.title, "; ".join(c.patent.values("applicants")),
             c.patent.publication_date.isoformat() if c.patent.publication_date else "", c.note]
            for c in contents.citations])
    for text in CATEGORY_NAMES.values():
        document.add_paragraph(text, style="List Bullet")
    document.add_heading("三、检索结论 Conclusion", level=1)
    for paragraph in contents.conclusion.splitlines():
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@step_documents.connect
def delivered_report(case, needed) -> FileStorage | None:
    """The report as a DOCX file, for the step that delivers it (CaseRefused if it is not ready)."""
    if Input.SEARCH_REPORT not in needed:
        return None
    contents = report_contents(case)
    if not contents.complete:
        raise CaseRefused(_l("Write the conclusion of the search report before delivering it."))
    return FileStorage(io.BytesIO(search_report_docx(contents)), filename=contents.filename, content_type=DOCX)
