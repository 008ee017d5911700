"""A demonstration patent collection: generated Guzhen lighting patents, marked `is_demo`.

Deterministic (the same records every time, their dates spread from 2015 to the center's today, never
later) so that demo searches are reproducible.
"""
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..calendar import center_today
from ..extensions import db
from .models import SEPARATOR, Patent
from .numbers import check_character

DEMO_SIZE = 3000
# (Chinese, English, Locarno class, IPC group) for each kind of lighting product.
PRODUCTS = [
    ("吸顶灯", "ceiling lamp", "26-05", "F21S 8/04"),
    ("吊灯", "pendant lamp", "26-05", "F21V 21/008"),
    ("水晶吊灯", "crystal chandelier", "26-05", "F21V 21/008"),
    ("壁灯", "wall lamp", "26-05", "F21S 8/03"),
    ("台灯", "desk lamp", "26-05", "F21S 6/00"),
    ("落地灯", "floor lamp", "26-05", "F21S 6/00"),
    ("筒灯", "downlight", "26-05", "F21S 8/02"),
    ("射灯", "spotlight", "26-05", "F21V 14/02"),
    ("灯罩", "lamp shade", "26-05", "F21V 1/00"),
    ("庭院灯", "garden lamp", "26-03", "F21S 8/08"),
    ("太阳能路灯", "solar street lamp", "26-03", "F21S 9/03"),
    ("投光灯", "floodlight", "26-03", "F21V 29/70"),
    ("LED灯带", "LED light strip", "26-04", "F21S 4/20"),
    ("LED灯泡", "LED bulb", "26-04", "F21K 9/232"),
    ("手电筒", "torch", "26-02", "F21L 4/00"),
    ("烛台", "candlestick", "26-01", "F21V 35/00"),
    ("汽车尾灯", "vehicle tail lamp", "26-06", "F21S 43/00"),
]
FEATURES = [
    ("超薄", "ultra-thin"), ("可调光", "dimmable"), ("智能", "smart"), ("防水", "waterproof"),
    ("北欧风格", "Nordic-style"), ("复古", "retro"), ("节能", "energy-saving"), ("感应", "motion-sensing"),
    ("遥控", "remote-controlled"), ("无极调色", "colour-tunable"), ("防眩光", "anti-glare"), ("铝合金", "aluminium"),
]
APPLICANTS = [
    "中山市古镇华辉灯饰有限公司", "中山市古镇明珠照明电器厂", "中山市星耀光电科技有限公司", "中山市古镇欧普灯饰厂",
    "中山市华艺照明有限公司", "中山市古镇灯都照明科技有限公司", "广东三雄光电有限公司", "中山市横栏镇东辉灯饰厂",
    "中山市古镇鸿达灯饰有限公司", "佛山市照明电器有限公司", "中山市小榄镇光华灯具厂", "中山市古镇雅居灯饰有限公司",
]
SURNAMES = "陈李黄何梁张王刘吴周林郑罗谢冯"
GIVEN = ["伟", "芳", "志强", "丽华", "建国", "小明", "海燕", "国强", "文军", "嘉欣", "振华", "秀英", "俊杰", "慧敏"]
KINDS = [("design", "3", "S", "30", 0.6), ("utility_model", "2", "U", "21", 0.3), ("invention", "1", "A", "11", 0.1)]
STATUSES = ["有效", "有效", "有效", "失效", "审中"]
FIRST_FILING = date(2015, 1, 1)


def _application_number(year: int, kind_digit: str, serial: int) -> str:
    body = f"{year}{kind_digit}{serial:07d}"
    return f"CN{body}.{check_character(body)}"


def _record(rng: random.Random, index: int, today: date | None = None) -> Patent:
    today = today or center_today()
    product_zh, product_en, locarno, ipc = rng.choice(PRODUCTS)
    feature_zh, feature_en = rng.choice(FEATURES)
    patent_type, kind_digit, kind_code, prefix, _ = rng.choices(KINDS, weights=[k[4] for k in KINDS])[0]
    # published some weeks (a design, a utility model) or some 18 months (an invention) after filing, by today
    delay = timedelta(days=rng.randint(20, 90) if patent_type != "invention" else rng.randint(540, 700))
    filed = FIRST_FILING + timedelta(days=rng.randint(0, (today - delay - FIRST_FILING).days))
    published = filed + delay
    title_zh = f"{feature_zh}{product_zh}" if patent_type == "design" else f"一种{feature_zh}{product_zh}"
    title = f"{title_zh}（{feature_en} {product_en}）"
    inventors = [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(rng.randint(1, 3))]
    if patent_type == "design":  # a design has a brief description (简要说明) instead of an abstract and claims
        abstract = (f"1. 本外观设计产品的名称：{title_zh}。2. 本外观设计产品的用途：用于室内外照明。"
                    f"3. 本外观设计产品的设计要点：在于产品的形状与图案。4. 最能表明设计要点的图片或照片：立体图。"
                    f"The design is a {feature_en} {product_en} for lighting; its shape and pattern are the point "
                    f"of the design.")
        claims = ""
    else:
        kind = "本发明" if patent_type == "invention" else "本实用新型"
        abstract = (f"{kind}公开了一种{feature_zh}{product_zh}，包括灯体、光源模组和驱动电源，结构简单，散热良好。"
                    f"A {feature_en} {product_en} comprising a lamp body, an LED light-source module and a driver; "
                    f"simple structure and good heat dissipation.")
        claims = (f"1. 一种{feature_zh}{product_zh}，其特征在于：包括灯体、设于灯体内的光源模组以及驱动电源。\n"
                  f"2. 根据权利要求1所述的{product_zh}，其特征在于：所述灯体由铝合金制成。")
    return Patent(
        country="CN", publication_number=f"CN{prefix}{1_000_000 + index:07d}",
        kind_code=kind_code, patent_type=patent_type,
        application_number=_application_number(filed.year, kind_digit, 100000 + index),
        filing_date=filed, publication_date=published,
        grant_date=published if patent_type != "invention" else None,
        title=title, abstract=abstract, claims=claims,
        applicants=rng.choice(APPLICANTS), inventors=SEPARATOR.join(dict.fromkeys(inventors)),
        ipc=ipc if patent_type != "design" else "", locarno=locarno if patent_type == "design" else "",
        legal_status=rng.choice(STATUSES), is_demo=True,
    )


def seed_demo_patents(size: int = DEMO_SIZE) -> int:
    """Add the demonstration collection once; returns how many records were added."""
    if db.session.scalar(select(func.count(Patent.id)).where(Patent.is_demo.is_(True))):
        return 0
    rng, today = random.Random(26), center_today()
    db.session.add_all(_record(rng, index, today) for index in range(size))
    db.session.flush()
    return size
