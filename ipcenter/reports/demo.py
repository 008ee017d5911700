"""A demonstration search report: a recorded search, three cited demo patents, a conclusion."""
from sqlalchemy import select

from ..extensions import db
from ..patents.models import Patent
from .models import SearchRecord
from .operations import cite_patent, save_conclusion


def prepare_demo_report(case, examiner) -> None:
    patents = list(db.session.scalars(select(Patent).where(Patent.is_demo.is_(True), Patent.title.contains("吸顶灯"))
                                      .order_by(Patent.id).limit(3)))
    # Written as it stands: the seed's patents reach the index only after the seed commits, so nothing is searched.
    db.session.add(SearchRecord(case_id=case.id, mode="query", query="ti:吸顶灯 AND lc:26-05", result_count=106,
                                run_by=examiner))
    for patent, category in zip(patents, "XYA", strict=False):  # as many as the demo collection has, up to three
        cite_patent(case, patent, category, "公开了相同的灯体结构。", examiner)
    save_conclusion(case, "检索到一篇X类文件，委托产品的外观设计新颖性存疑，建议调整设计要点后再申请。", examiner)
