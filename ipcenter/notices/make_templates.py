"""Writes the default notice templates, `templates/<kind>.<language>.docx`, with python-docx.

    .venv/bin/python -m ipcenter.notices.make_templates [FOLDER]

Run it after changing a text here (and commit the files it writes); a manager's replacement is made from one of
these, downloaded from the template page. Each is A4 on the center's letterhead (its name and address from
configuration, as placeholders), the notice's title, its number, the addressee, the kind's text and the center's
name and date to sign; a CJK font is named so that Chinese renders in Word, WPS and LibreOffice alike. Lists (the
terms of an agreement, the evidence) are docxtpl's paragraph loops: `{%p for … %}` alone in a paragraph.
"""
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .kinds import NOTICE_KINDS

CJK_FONT = "SimSun"  # Word's default Song face; LibreOffice maps it to Noto Serif CJK / Source Han
LATIN_FONT = "Times New Roman"
TRANSLATION = ("This English version is a translation of the Chinese notice of the same number; the Chinese notice "
               "governs.")


def numbered(items: str, item: str, line: str) -> tuple[str, str, str]:
    """A numbered list: one paragraph per item."""
    return (f"{{%p for {item} in {items} %}}", line, "{%p endfor %}")


# Per kind and language: the title, then the paragraphs (a tuple: a paragraph loop). "{{ addressee_* }}：" and
# the signature are added around them unless the kind is an agreement between parties.
TEXTS: dict[str, dict[str, tuple]] = {
    "acceptance": {
        "zh": ("受理通知书", (
            "贵单位于{{ submitted_on_zh }}提交的{{ case_type_zh }}请求“{{ case_title }}”"
            "（案件编号：{{ case_reference }}），经审查，符合受理条件，本中心决定予以受理。",
            "该请求现已进入“{{ stage_zh }}”阶段，本中心将于{{ due_date_zh }}前完成本阶段的办理，"
            "办理进展可在本中心服务平台查询。",
            "特此通知。")),
        "en": ("Acceptance Notice", (
            "Your request “{{ case_title }}” ({{ case_type_en }}, case {{ case_reference }}), submitted on "
            "{{ submitted_on_en }}, meets the conditions for acceptance, and the Center has accepted it.",
            "The request is now at the stage “{{ stage_en }}”; the Center will complete this stage by "
            "{{ due_date_en }}. You can follow its progress on the Center's service platform.")),
    },
    "not_accepted": {
        "zh": ("不予受理通知书", (
            "贵单位于{{ submitted_on_zh }}提交的{{ case_type_zh }}请求“{{ case_title }}”"
            "（案件编号：{{ case_reference }}），经审查，本中心决定不予受理，理由如下：",
            "{{ reason }}",
            "贵单位如对本决定有异议，或补齐材料后仍需办理，可重新提交请求。",
            "特此通知。")),
        "en": ("Notice of Non-acceptance", (
            "Your request “{{ case_title }}” ({{ case_type_en }}, case {{ case_reference }}), submitted on "
            "{{ submitted_on_en }}, has been examined, and the Center has decided not to accept it, for this reason:",
            "{{ reason }}",
            "If you disagree with this decision, or once the missing materials are complete, you may submit a new "
            "request.")),
    },
    "correction": {
        "zh": ("补正通知书", (
            "贵单位于{{ submitted_on_zh }}提交的{{ case_type_zh }}请求“{{ case_title }}”"
            "（案件编号：{{ case_reference }}），经审查，需补正以下内容：",
            "{{ missing }}",
            "请于{{ deadline_zh }}前通过本中心服务平台提交补正材料。逾期未补正的，本中心可不予受理或终止办理。",
            "特此通知。")),
        "en": ("Notice to Correct", (
            "Your request “{{ case_title }}” ({{ case_type_en }}, case {{ case_reference }}), submitted on "
            "{{ submitted_on_en }}, has been examined; the following must be corrected or supplied:",
            "{{ missing }}",
            "Please submit the corrections through the Center's service platform by {{ deadline_en }}. If they are "
            "not received by then, the Center may decline or close the request.")),
    },
    "pre_examination_pass": {
        "zh": ("预审合格通知书", (
            "贵单位通过快速预审通道提交的专利申请“{{ case_title }}”（案件编号：{{ case_reference }}；产品名称："
            "{{ product_name }}；专利类型：{{ patent_kind_zh }}；分类号：{{ classification }}），经本中心预审，"
            "符合快速预审要求，预审合格。",
            "本中心将尽快将该申请转交国家知识产权局，请贵单位留意审查意见并及时答复。",
            "特此通知。")),
        "en": ("Notice of Passing Pre-examination", (
            "Your patent application “{{ case_title }}” (case {{ case_reference }}; product: {{ product_name }}; "
            "kind: {{ patent_kind_en }}; classification: {{ classification }}), submitted through the fast "
            "pre-examination channel, has passed the Center's pre-examination.",
            "The Center will forward it to the China National Intellectual Property Administration shortly; please "
            "watch for the examiner's communications and answer them in time.")),
    },
    "pre_examination_fail": {
        "zh": ("预审不合格通知书", (
            "贵单位通过快速预审通道提交的专利申请“{{ case_title }}”（案件编号：{{ case_reference }}；产品名称："
            "{{ product_name }}），经本中心预审，不符合快速预审要求，预审不合格，理由如下：",
            "{{ reason }}",
            "贵单位可按普通程序向国家知识产权局提交该申请，或修改后重新提交预审请求。",
            "特此通知。")),
        "en": ("Notice of Failing Pre-examination", (
            "Your patent application “{{ case_title }}” (case {{ case_reference }}; product: {{ product_name }}), "
            "submitted through the fast pre-examination channel, did not pass the Center's pre-examination, for "
            "this reason:",
            "{{ reason }}",
            "You may file the application with the China National Intellectual Property Administration through the "
            "ordinary procedure, or correct it and request pre-examination again.")),
    },
    "complaint_notice": {
        "zh": ("侵权投诉通知书", (
            "本中心收到{{ enterprise_name_zh }}（投诉人）的投诉，称贵单位的产品涉嫌侵犯其专利权（专利号："
            "{{ patent_number }}；案件编号：{{ case_reference }}）。投诉内容如下：",
            "{{ complaint }}",
            "请贵单位于{{ answer_deadline_zh }}前向本中心提交书面答辩意见及相关证据（如现有设计证据、许可合同等）。"
            "逾期未答复的，本中心将根据投诉人的请求依规处理。",
            "特此通知。")),
        "en": ("Notice of Complaint", (
            "The Center has received a complaint from {{ enterprise_name_en }} (the complainant) that a product of "
            "yours infringes its patent {{ patent_number }} (case {{ case_reference }}). The complaint reads:",
            "{{ complaint }}",
            "Please send the Center your written answer and any evidence (prior designs, licences) by "
            "{{ answer_deadline_en }}. Without an answer by then, the Center will act on the complainant's request "
            "as its rules provide.")),
    },
    "assessment_opinion": {
        "zh": ("侵权判定意见书", (
            "关于{{ enterprise_name_zh }}投诉{{ respondent_name }}涉嫌侵犯专利权（专利号：{{ patent_number }}；"
            "案件编号：{{ case_reference }}）一案，本中心经技术比对与分析，意见如下：",
            "判定结论：{{ conclusion_zh }}",
            "理由：{{ reasons }}",
            "本意见供当事人及有关部门参考。")),
        "en": ("Infringement Assessment Opinion", (
            "On the complaint of {{ enterprise_name_en }} that {{ respondent_name }} infringes patent "
            "{{ patent_number }} (case {{ case_reference }}), the Center, having compared the product with the "
            "patent, gives the following opinion:",
            "Conclusion: {{ conclusion_en }}",
            "Reasons: {{ reasons }}",
            "This opinion is given for the information of the parties and the authorities concerned.")),
    },
    "mediation_agreement": {
        "zh": ("调解协议书", (
            "投诉人：{{ enterprise_name_zh }}",
            "被投诉人：{{ respondent_name }}",
            "案件编号：{{ case_reference }}",
            "双方就专利号为{{ patent_number }}的专利侵权纠纷，经本中心主持调解，在自愿、平等的基础上达成如下协议：",
            numbered("terms", "term", "{{ loop.index }}. {{ term }}"),
            "本协议自双方签字（盖章）之日起生效，一式三份，双方及本中心各执一份。",
            "投诉人（签章）：",
            "被投诉人（签章）：",
            "调解员：")),
        "en": ("Mediation Agreement", (
            "Complainant: {{ enterprise_name_en }}",
            "Respondent: {{ respondent_name }}",
            "Case: {{ case_reference }}",
            "In the dispute over patent {{ patent_number }}, the parties, in mediation conducted by the Center, have "
            "freely agreed as follows:",
            numbered("terms", "term", "{{ loop.index }}. {{ term }}"),
            "This agreement takes effect when signed (or sealed) by both parties; it is made in three copies, one for "
            "each party and one for the Center.",
            "Complainant (signature or seal):",
            "Respondent (signature or seal):",
            "Mediator:")),
    },
    "referral_letter": {
        "zh": ("案件移送函", (
            "{{ enterprise_name_zh }}投诉{{ respondent_name }}涉嫌侵犯其专利权（专利号：{{ patent_number }}；案件编号："
            "{{ case_reference }}）一案，经本中心调解，双方未能达成协议。"
            "根据投诉人的申请，现将该案移送贵单位依法处理。",
            "附：证据清单",
            numbered("evidence", "item", "{{ loop.index }}. {{ item }}"),
            "请予受理为盼。")),
        "en": ("Referral Letter", (
            "{{ enterprise_name_en }} complains that {{ respondent_name }} infringes its patent {{ patent_number }} "
            "(case {{ case_reference }}). Mediation by the Center has not brought the parties to an agreement; at the "
            "complainant's request, the Center refers the case to you for handling according to law.",
            "Enclosed: list of evidence",
            numbered("evidence", "item", "{{ loop.index }}. {{ item }}"),
            "We ask you to take up the case.")),
    },
}
AGREEMENTS = {"mediation_agreement"}  # between the parties: addressed to nobody


def _fonts(document: WordDocument) -> None:
    for style_name in ("Normal", "Title", "Header"):
        style = document.styles[style_name]
        style.font.name = LATIN_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    document.styles["Normal"].font.size = Pt(12)


def _letterhead(document: WordDocument, language: str) -> None:
    """A4 (python-docx starts from US Letter), the center's name and address at the top of every page, ruled off."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin = section.right_margin = Mm(26)
    header = section.header.paragraphs[0]
    border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")  # before the alignment: the schema's order
    for name, value in (("val", "single"), ("sz", "8"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{name}"), value)
    border.append(bottom)
    header._p.get_or_add_pPr().append(border)
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name = header.add_run(f"{{{{ center_name_{language} }}}}")
    name.bold, name.font.size = True, Pt(14)
    header.add_run().add_break()
    header.add_run(f"{{{{ center_address_{language} }}}}").font.size = Pt(9)


def _paragraph(document: WordDocument, text: str, *, align=None, bold: bool = False, size: int | None = None,
               indent: bool = False):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)  # one run per paragraph: docxtpl finds each placeholder whole
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters, as Chinese paragraphs begin
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def make_template(kind_code: str, language: str) -> WordDocument:
    title, paragraphs = TEXTS[kind_code][language]
    document = Document()
    _fonts(document)
    _letterhead(document, language)
    properties = document.core_properties
    properties.title, properties.author = f"{title} {{{{ notice_number }}}}", f"{{{{ center_name_{language} }}}}"
    _paragraph(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=18)
    _paragraph(document, "{{ notice_number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    if kind_code not in AGREEMENTS:
        _paragraph(document, f"{{{{ addressee_{language} }}}}：" if language == "zh" else
                   "To: {{ addressee_en }}")
    for text in paragraphs:
        for line in (text if isinstance(text, tuple) else (text,)):
            _paragraph(document, line, indent=language == "zh" and not line.startswith("{%p"))
    _paragraph(document, "")
    _paragraph(document, f"{{{{ center_name_{language} }}}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, f"{{{{ date_{language} }}}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    if language == "en":
        _paragraph(document, TRANSLATION, size=9)
    return document


def make_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in NOTICE_KINDS.values():
        for language in ("zh", "en"):
            path = folder / f"{kind.template}.{language}.docx"
            make_template(kind.code, language).save(str(path))
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "templates"
    for path in make_templates(target):
        print(path)
