"""Demonstration data so a newcomer sees a living center. Running it twice changes nothing."""
from sqlalchemy import select
from stdnum.cn import uscc

from .accounts.models import Role, User
from .accounts.operations import create_user
from .extensions import db
from .organisations.models import DemonstrationUnit, Organisation, OrganisationStatus, Post, UnitKind

DEMO_PASSWORD = "Demo-2026-guzhen"

POSTS = [
    ("intake", "受理岗", "Intake post", "接收企业提交的各类请求，核对材料并分派。"),
    ("filing", "专利申请服务岗", "Patent filing post", "协助企业撰写、提交专利申请并跟踪审查。"),
    ("pre_examination", "预审岗", "Pre-examination post", "快速预审通道：形式审查与明显缺陷审查。"),
    ("retrieval", "检索岗", "Retrieval post", "专利快速检索：新颖性、侵权风险、自由实施检索。"),
    ("consultation", "咨询岗", "Consultation post", "知识产权咨询解答。"),
    ("foreign_assistance", "涉外援助岗", "Foreign assistance post", "海外展会、海关、境外纠纷与海外申请援助。"),
    ("rights_protection", "维权岗", "Rights protection post", "侵权投诉：侵权判定、通知被投诉方、调解与移交。"),
]

STAFF = [
    ("manager@demo.ipcenter.cn", "陈经理", Role.MANAGER, [code for code, *_ in POSTS]),
    ("intake@demo.ipcenter.cn", "李受理", Role.STAFF, ["intake", "filing"]),
    ("preexam@demo.ipcenter.cn", "王预审", Role.STAFF, ["pre_examination"]),
    ("retrieval@demo.ipcenter.cn", "赵检索", Role.STAFF, ["retrieval"]),
    ("consult@demo.ipcenter.cn", "刘咨询", Role.STAFF, ["consultation"]),
    ("foreign@demo.ipcenter.cn", "黄涉外", Role.STAFF, ["foreign_assistance"]),
    ("weiquan@demo.ipcenter.cn", "孙维权", Role.STAFF, ["rights_protection"]),
]

ENTERPRISES = [
    # credit-code stem (17 characters), Chinese name, English name, status, login
    ("91442000MA4WK7Q3X", "中山市古镇华辉灯饰有限公司", "Zhongshan Guzhen Huahui Lighting Co., Ltd.",
     OrganisationStatus.RECORDED, "huahui@demo.ipcenter.cn", "何华辉"),
    ("91442000MA52M8P1L", "中山市古镇明珠照明电器厂", "Guzhen Mingzhu Lighting Appliance Factory",
     OrganisationStatus.RECORDED, "mingzhu@demo.ipcenter.cn", "梁明珠"),
    ("91442000MA53N2R6T", "中山市星耀光电科技有限公司", "Zhongshan Xingyao Optoelectronics Co., Ltd.",
     OrganisationStatus.PENDING, "xingyao@demo.ipcenter.cn", "吴星耀"),
]

UNITS = [
    ("中山市古镇知识产权代理事务所", "Guzhen IP Agency", UnitKind.PATENT_AGENCY,
     "agency@demo.ipcenter.cn", "周代理"),
    ("广东灯都律师事务所", "Guangdong Dengdu Law Firm", UnitKind.LAW_FIRM,
     "lawfirm@demo.ipcenter.cn", "郑律师"),
]


def _user(email: str):
    return db.session.scalar(select(User).where(User.email == email))


def _one(model, **criteria):
    return db.session.scalar(select(model).filter_by(**criteria))


def _seed_posts() -> dict[str, Post]:
    posts = {}
    for code, name_zh, name_en, description in POSTS:
        post = _one(Post, code=code)
        if post is None:
            post = Post(code=code, name_zh=name_zh, name_en=name_en, description=description)
            db.session.add(post)
        posts[code] = post
    return posts


def _seed_staff(posts: dict[str, Post]) -> list[tuple[str, str]]:
    for email, name, role, post_codes in STAFF:
        if _user(email) is None:
            create_user(email, name, role, password=DEMO_PASSWORD, posts=[posts[c] for c in post_codes])
    return [(role.label, email) for email, _, role, _ in STAFF]


def _seed_enterprises() -> list[tuple[str, str]]:
    logins = []
    for number, (stem, name_zh, name_en, status, email, person) in enumerate(ENTERPRISES, start=1):
        code = stem + uscc.calc_check_digit(stem)
        organisation = _one(Organisation, credit_code=code)
        if organisation is None:
            organisation = Organisation(
                name_zh=name_zh, name_en=name_en, credit_code=code, status=status,
                address=f"广东省中山市古镇镇东兴中路{number * 18}号", contact_person=person,
                phone=f"0760-2233{number:04d}",
                email=email, main_products="LED吸顶灯、水晶吊灯、户外庭院灯",
            )
            db.session.add(organisation)
        if _user(email) is None:
            create_user(email, person, Role.ENTERPRISE, password=DEMO_PASSWORD, organisation=organisation)
        logins.append((f"{Role.ENTERPRISE.label} ({status.label})", email))
    return logins


def _seed_units() -> list[tuple[str, str]]:
    logins = []
    for name_zh, name_en, kind, email, person in UNITS:
        unit = _one(DemonstrationUnit, name_zh=name_zh)
        if unit is None:
            unit = DemonstrationUnit(name_zh=name_zh, name_en=name_en, kind=kind, contact_person=person,
                                     phone="13800001111", email=email)
            db.session.add(unit)
        if _user(email) is None:
            create_user(email, person, Role.UNIT_REPORTER, password=DEMO_PASSWORD, unit=unit)
        logins.append((f"{Role.UNIT_REPORTER.label} ({kind.label})", email))
    return logins


def seed_demo() -> list[tuple[str, str]]:
    """Create what is missing; return (role, email) of every demo login."""
    from .cases.demo import seed_demo_cases
    from .complaints.demo import seed_demo_complaints
    from .patents.demo import seed_demo_patents

    posts = _seed_posts()
    logins = _seed_staff(posts)
    logins += _seed_enterprises()
    logins += _seed_units()
    db.session.flush()
    seed_demo_patents()  # first: the demo search reports cite them
    workers = _post_workers(posts)
    if seed_demo_cases(workers):  # added now: the complaints' respondent side on top of them
        seed_demo_complaints(workers)
    return logins


def _post_workers(posts: dict[str, Post]) -> dict[str, User]:
    """For each post, the demo staff member who works its cases (the manager where nobody else does)."""
    workers = {}
    for code, post in posts.items():
        staff = [member for member in post.members if member.role == Role.STAFF]
        workers[code] = staff[0] if staff else _user(STAFF[0][0])
    return workers


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of the demo accounts present in the database."""
    emails = [email for email, *_ in STAFF] + [row[4] for row in ENTERPRISES] + [row[3] for row in UNITS]
    users = db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.role, User.id))
    return [(user.role.label, user.email) for user in users]
