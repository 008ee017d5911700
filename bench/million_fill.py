"""The million-case center of bench/million.py: who works there, who asks, and four years of cases.

Small tables (posts, people, enterprises, units) are written from Python. The cases, their timelines and the
notifications are written by the server (INSERT ... SELECT over generate_series), from a few thousand case
*histories* made here by walking the workflow of ipcenter/cases/workflow.py with realistic odds: each history is
the list of a case's timeline entries (submitted, every transition with its stages, delegation to a unit and
its end) with the days between them. A closed case follows a whole history; an open case a history cut at an
open stage, drawn in proportion to the time cases spend at that stage. The case's columns are those the engine
(ipcenter/cases/operations.py) leaves: the stage, its post, the outcome of the last transition that had one,
`closed_at` and no post once closed, the due date counted from the day the stage was entered (the center's own,
or the enterprise's where it is asked something), the stage to resume and the days left while the clock is
paused, the application and patent numbers once recorded, the unit while a delegation lasts.

Random draws are seeded (Python's and the server's `setseed`), so the same parameters make the same center,
relative to the day it is filled.
"""
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text
from stdnum.cn import uscc

from ipcenter.accounts.models import Role
from ipcenter.cases.models import EventKind
from ipcenter.cases.workflow import CASE_TYPES, CLOSED, RESUME, Actor, stage_allowance
from ipcenter.demo import POSTS, UNITS
from ipcenter.organisations.models import OrganisationStatus, UnitKind

# What the center receives, by type (its main channel is fast pre-examination; consultations are many and short).
TYPE_SHARES = {"fast_pre_examination": 0.30, "consultation": 0.30, "patent_filing": 0.18, "fast_retrieval": 0.18,
               "foreign_assistance": 0.04}
CLOSED_SHARE = 0.85
PATENT_KIND_SHARES = {"patent_filing": {"design": 0.55, "utility_model": 0.30, "invention": 0.15},
                      "fast_pre_examination": {"design": 0.70, "utility_model": 0.25, "invention": 0.05}}
# How often an action is taken where it may be, against 1 for each other action possible there.
ACTION_ODDS = {"not_accept": 0.04, "withdraw": 0.012, "request_materials": 0.05, "request_corrections": 0.45,
               "request_draft_changes": 0.3, "record_refusal": 0.12, "ask_question": 0.12}
REFUSAL_ODDS = {"patent_filing": 0.25, "fast_pre_examination": 0.06}
REOPENED = 0.03  # closed cases that come back with a follow-up (once)
# Where the center hands work to a unit: (type, stage entered) -> (odds, unit kinds to choose from).
DELEGATIONS = {("patent_filing", "drafting"): (0.4, [UnitKind.PATENT_AGENCY]),
               ("fast_retrieval", "searching"): (0.08, [UnitKind.PATENT_AGENCY]),
               ("foreign_assistance", "in_progress"): (0.6, [UnitKind.LAW_FIRM, UnitKind.LAW_FIRM,
                                                             UnitKind.CHAMBER_OF_COMMERCE])}
# The delegation ends (the post ends it) once the case reaches these stages; otherwise when the case closes.
DELEGATION_ENDS_AT = {"patent_filing": "filing", "fast_retrieval": "report_delivered"}
QUIET_UNIT_KIND = UnitKind.CHAMBER_OF_COMMERCE  # its reporters have not reported for weeks
HISTORIES_PER_TYPE = 2500
PICK_SLOTS = 200_000

STAFF_PER_POST = {"intake": 4, "filing": 3, "pre_examination": 5, "retrieval": 3, "consultation": 3,
                  "foreign_assistance": 2}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "晓东", "志强", "海燕", "建华", "丽华", "国华", "文婷", "嘉怡"]
# Enterprise names: 中山市古镇 + core + trade + form; cores (with their pinyin) are shared by a few companies.
CORES = [("华辉", "Huahui"), ("明珠", "Mingzhu"), ("星耀", "Xingyao"), ("金凯", "Jinkai"), ("欧陆", "Oulu"),
         ("雅兰", "Yalan"), ("鸿运", "Hongyun"), ("佳美", "Jiamei"), ("晶彩", "Jingcai"), ("中天", "Zhongtian"),
         ("金帝", "Jindi"), ("凯莉", "Kaili"), ("银河", "Yinhe"), ("澳美", "Aomei"), ("华艺", "Huayi"),
         ("新艺", "Xinyi"), ("名仕", "Mingshi"), ("光华", "Guanghua"), ("永耀", "Yongyao"), ("恒辉", "Henghui"),
         ("东升", "Dongsheng"), ("朗德", "Langde"), ("雷士", "Leishi"), ("千色", "Qianse"), ("灿烂", "Canlan"),
         ("柏丽", "Baili"), ("尚品", "Shangpin"), ("瑞丰", "Ruifeng"), ("金达", "Jinda"), ("富兴", "Fuxing"),
         ("博艺", "Boyi"), ("美耐", "Meinai"), ("华特", "Huate"), ("同方", "Tongfang"), ("锦绣", "Jinxiu"),
         ("德诚", "Decheng"), ("海韵", "Haiyun"), ("天乐", "Tianle"), ("宏达", "Hongda"), ("昌盛", "Changsheng")]
TRADES = [("灯饰", "Lighting"), ("照明", "Illumination"), ("光电", "Optoelectronics"), ("电器", "Electric Appliance"),
          ("灯具", "Lamps")]
FORMS = [("有限公司", "Co., Ltd."), ("厂", "Factory"), ("科技有限公司", "Technology Co., Ltd.")]
PRODUCTS = ["吸顶灯", "水晶吊灯", "壁灯", "台灯", "落地灯", "庭院灯", "筒灯", "射灯", "LED灯带", "吊扇灯", "路灯",
            "投光灯", "镜前灯", "面板灯", "轨道灯", "草坪灯", "太阳能灯", "小夜灯", "应急灯", "烛台灯"]
PRODUCT_CLASSES = ["26-05", "26-05", "26-05", "26-05", "26-05", "26-03", "26-05", "26-05", "26-04", "26-05",
                   "26-03", "26-03", "26-05", "26-05", "26-05", "26-03", "26-03", "26-05", "26-02", "26-01"]
STYLES = ["新款", "超薄", "可调光", "智能", "北欧风", "新中式", "轻奢", "复古", "极简", "异形", "防水", "折叠式"]
QUESTIONS = ["外观专利被仿冒怎么办", "外观设计专利保护期限", "实用新型与外观设计的区别", "专利年费缴纳咨询",
             "专利许可合同怎么签", "商标注册流程咨询", "产品图册的版权保护", "展会上发现仿冒品如何维权",
             "网店销售仿冒灯具的投诉", "出口产品的海外专利布局", "专利权转让手续", "员工离职带走设计的问题"]
TOPICS = ["infringement", "patent_rights", "patent_application", "patent_rights", "patent_rights", "trademark",
          "copyright", "infringement", "infringement", "overseas", "patent_rights", "other"]
FAIRS = [("法兰克福照明展", "德国"), ("香港国际秋季灯饰展", "中国香港"), ("迪拜中东照明展", "阿联酋"),
         ("拉斯维加斯照明展", "美国"), ("米兰国际灯具展", "意大利"), ("莫斯科国际照明展", "俄罗斯")]
FOREIGN_MATTERS = [("展品被投诉侵权", "exhibition"), ("货物被海关扣留", "customs"), ("境外侵权纠纷", "litigation"),
                   ("海外专利申请", "overseas_filing")]
COUNTERPARTIES = ["某欧洲灯具公司", "某美国照明品牌", "当地经销商", "某中东贸易公司", "展会主办方"]
COMMENTS = {
    "accept": "材料齐全，予以受理。", "not_accept": "不属于本中心受理范围。", "withdraw": "企业决定撤回申请。",
    "request_materials": "请补充产品照片及设计图。", "provide_materials": "已上传补充材料。",
    "submit_draft": "申请文件初稿已完成，请确认。", "confirm_draft": "确认初稿，无修改意见。",
    "request_draft_changes": "请修改简要说明中的用途描述。", "record_filing": "已提交专利局。",
    "record_grant": "已授权。", "record_refusal": "驳回：与现有设计无明显区别。", "close": "办结。",
    "request_corrections": "请补正六面视图中的阴影线。", "answer_corrections": "已按要求补正。",
    "pass": "预审合格。", "forward": "已转国家知识产权局。", "deliver_report": "检索报告已出具。",
    "ask_question": "请补充检索近五年的同类设计。", "answer": "已书面答复，详见附件。",
    "follow_up": "还有一个后续问题。", "start_assistance": "援助方案已确定，开始实施。",
    "resolve": "事项已妥善解决。",
}
BRIEFS = {UnitKind.PATENT_AGENCY: "请代为撰写申请文件。", UnitKind.LAW_FIRM: "请联系对方并准备答辩材料。",
          UnitKind.CHAMBER_OF_COMMERCE: "请协调展会主办方。"}
REPORT_NOTES = ["已与企业沟通，收集资料中。", "初稿已完成一半。", "已联系对方，等待回复。", "工作基本完成，正在整理。"]
CENTER_UNITS = [*UNITS, ("中山市灯都专利代理有限公司", "Dengdu Patent Agency", UnitKind.PATENT_AGENCY,
                         "dengdu-agency@bench.ipcenter.cn", "钟代理"),
                ("广东古镇联合律师事务所", "Guzhen United Law Firm", UnitKind.LAW_FIRM, "united-law@bench.ipcenter.cn",
                 "冯律师"),
                ("中山市古镇灯饰商会", "Guzhen Lighting Chamber of Commerce", UnitKind.CHAMBER_OF_COMMERCE,
                 "chamber@bench.ipcenter.cn", "黄会长")]


@dataclass
class Step:
    kind: EventKind
    action: str | None
    from_stage: str | None
    to_stage: str | None
    offset: float  # days after the submission
    actor: str  # "enterprise", "post" (staff of `post`), "unit"
    post: str | None = None
    detail: str | None = None  # "application" or "patent": the number the step recorded


@dataclass
class History:
    case_type: str
    patent_kind: str | None
    steps: list[Step] = field(default_factory=list)
    unit_kind: UnitKind | None = None


@dataclass
class State:
    """A case after some steps of its history: what the engine would have left on it."""

    stage: str
    entered: float  # offset of the step that entered the stage
    allowance: int | None
    dwell: float  # the days cases spend at the stage in this history (open cases are drawn in proportion)
    outcome: str | None = None
    resume_stage: str | None = None
    paused_days_left: int | None = None
    application: bool = False
    patent: bool = False
    delegation_start: float | None = None
    delegation_end: float | None = None
    transitions: int = 0


def _dwell(allowance: int | None, rng: random.Random, quick: bool) -> float:
    """Days at a stage: its allowance in working days (7 calendar days to 5), mostly met, sometimes not."""
    days = (allowance or 1) * 1.4 * rng.betavariate(2, 3) * 1.5
    return max(0.02, days * (0.4 if quick else 1))


def _choose(case_type: str, options, rng: random.Random):
    odds = [REFUSAL_ODDS[case_type] if t.action == "record_refusal" else ACTION_ODDS.get(t.action, 1.0)
            for t in options]
    return rng.choices(options, odds)[0]


def walk(type_code: str, rng: random.Random) -> History:
    """One case's life from submission to its end, as the workflow allows it."""
    case_type = CASE_TYPES[type_code]
    kinds = PATENT_KIND_SHARES.get(type_code)
    history = History(type_code, rng.choices(list(kinds), list(kinds.values()))[0] if kinds else None)
    stage, previous, at, reopened, delegated = case_type.initial_stage, None, 0.0, False, False
    history.steps.append(Step(EventKind.SUBMITTED, None, None, stage, 0.0, "enterprise"))
    while len(history.steps) < 30:
        current = case_type.stage(stage)
        if not current.kind.open and (stage != CLOSED or reopened or rng.random() >= REOPENED):
            break
        options = case_type.transitions_from(stage)
        transition = next(t for t in options if t.action == "follow_up") if not current.kind.open \
            else _choose(type_code, options, rng)
        quick = transition.action in ("not_accept", "withdraw")
        at += rng.uniform(3, 40) if not current.kind.open else _dwell(
            stage_allowance(current, history.patent_kind), rng, quick)
        reopened = reopened or transition.action == "follow_up"
        target = previous if transition.target == RESUME else transition.target
        actor = "enterprise" if Actor.ENTERPRISE in transition.actors and (
            Actor.POST not in transition.actors or rng.random() < 0.5) else "post"
        if Actor.UNIT in transition.actors and history.unit_kind and delegated and rng.random() < 0.7:
            actor = "unit"
        detail = {"record_filing": "application", "forward": "application", "record_grant": "patent"}.get(
            transition.action)
        history.steps.append(Step(EventKind.TRANSITION, transition.action, stage, target, at, actor, current.post,
                                  detail))
        previous, stage = stage, target
        post = current.post or case_type.stage(target).post
        if delegated and (not case_type.stage(target).kind.open or DELEGATION_ENDS_AT.get(type_code) == target):
            at += 0.01
            history.steps.append(Step(EventKind.DELEGATION_ENDED, None, None, None, at, "post", post))
            delegated = False
        odds, unit_kinds = DELEGATIONS.get((type_code, target), (0, []))
        if history.unit_kind is None and rng.random() < odds:
            history.unit_kind, delegated = rng.choice(unit_kinds), True
            at += 0.01
            history.steps.append(Step(EventKind.DELEGATED, None, None, None, at, "post", post))
    return history


def replay(history: History, count: int) -> State:
    """The case after the first `count` steps of its history."""
    case_type = CASE_TYPES[history.case_type]
    state = State(stage="", entered=0.0, allowance=None, dwell=0.0)
    for step in history.steps[:count]:
        if step.kind == EventKind.DELEGATED:
            state.delegation_start, state.delegation_end = step.offset, None
        elif step.kind == EventKind.DELEGATION_ENDED:
            state.delegation_end = step.offset
        elif step.to_stage:
            stage = case_type.stage(step.to_stage)
            transition = case_type.transition(step.action) if step.action else None
            resuming = bool(transition and transition.target == RESUME)
            if stage.kind.pauses_clock:  # the center's days left are kept for its return
                left = (state.allowance or 0) - (step.offset - state.entered) / 1.4
                state.resume_stage, state.paused_days_left = state.stage, round(left)
            allowance = state.paused_days_left if resuming else stage_allowance(stage, history.patent_kind)
            if resuming:
                state.resume_stage = state.paused_days_left = None
            if transition and transition.outcome:
                state.outcome = transition.outcome.code
            state.application |= step.detail == "application"
            state.patent |= step.detail == "patent"
            state.stage, state.entered, state.allowance = step.to_stage, step.offset, allowance
            state.transitions += step.kind == EventKind.TRANSITION
    following = [s.offset for s in history.steps[count:] if s.kind in (EventKind.TRANSITION,)]
    state.dwell = (following[0] - state.entered) if following else 0.0
    return state


@dataclass
class Variant:
    """A history, whole (a closed case) or cut at an open stage (an open case), with its weight."""

    history: int
    count: int
    state: State
    weight: float
    open: bool


def variants(rng: random.Random) -> tuple[list[History], list[Variant]]:
    histories: list[History] = []
    chosen: list[Variant] = []
    lives = {}
    for type_code in TYPE_SHARES:
        first = len(histories)
        histories += [walk(type_code, rng) for _ in range(HISTORIES_PER_TYPE)]
        lives[type_code] = sum(h.steps[-1].offset for h in histories[first:]) / HISTORIES_PER_TYPE
    # Open cases by type in proportion to how long a case of the type stays open, scaled to the open share.
    scale = (1 - CLOSED_SHARE) / sum(TYPE_SHARES[t] * lives[t] for t in TYPE_SHARES)
    for number, history in enumerate(histories):
        share = TYPE_SHARES[history.case_type] / HISTORIES_PER_TYPE
        open_share = min(0.95, scale * lives[history.case_type])
        whole = replay(history, len(history.steps))
        chosen.append(Variant(number, len(history.steps), whole, share * (1 - open_share), False))
        cuts = []
        for count in range(1, len(history.steps)):
            if history.steps[count].kind in (EventKind.DELEGATED, EventKind.DELEGATION_ENDED):
                continue  # it follows the step before at once: the case is cut after it
            state = replay(history, count)
            if CASE_TYPES[history.case_type].stage(state.stage).kind.open and state.dwell > 0:
                cuts.append((count, state))
        total = sum(state.dwell for _, state in cuts) or 1
        chosen += [Variant(number, count, state, share * open_share * state.dwell / total, True)
                   for count, state in cuts]
    return histories, chosen


# The people -----------------------------------------------------------------------------------------------

def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _credit_code(rng: random.Random, taken: set) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        stem = "9144200" + "".join(rng.choice(alphabet) for _ in range(10))
        if stem not in taken:
            taken.add(stem)
            return stem + uscc.calc_check_digit(stem)


def fill_people(connection, rng: random.Random, enterprises: int, password_hash: str) -> dict:
    """Posts (the demo's), 20 staff over them and two managers, the units and their reporters, the enterprises
    and their users. Returns the ids the cases need."""
    now = datetime.now(UTC)
    post_ids = {}
    for code, name_zh, name_en, description in POSTS:
        post_ids[code] = connection.scalar(text(
            "INSERT INTO posts (code, name_zh, name_en, description, active, created_at) "
            "VALUES (:code, :zh, :en, :description, true, :now) RETURNING id"),
            dict(code=code, zh=name_zh, en=name_en, description=description, now=now))

    def add_user(email, name, role, organisation_id=None, unit_id=None):
        return connection.scalar(text(
            "INSERT INTO users (email, display_name, password_hash, role, active, email_verified, language, "
            "session_token, organisation_id, unit_id, created_at) VALUES (:email, :name, :hash, :role, true, true, "
            "'zh', :token, :organisation_id, :unit_id, :now) RETURNING id"),
            dict(email=email, token=f"bench-{email}", name=name, hash=password_hash, role=int(role),
                 organisation_id=organisation_id, unit_id=unit_id, now=now))

    staff: dict[str, list[int]] = {code: [] for code in post_ids}
    members = []
    for number in (1, 2):
        manager = add_user(f"manager{number}@bench.ipcenter.cn", _name(rng), Role.MANAGER)
        members += [(post_id, manager) for post_id in post_ids.values()]
    number = 0
    for code, count in STAFF_PER_POST.items():
        for _ in range(count):
            number += 1
            user = add_user(f"staff{number:02d}@bench.ipcenter.cn", _name(rng), Role.STAFF)
            staff[code].append(user)
            members.append((post_ids[code], user))
    staff["intake"].append(staff["filing"][0])  # one filing clerk also takes requests at intake
    members.append((post_ids["intake"], staff["filing"][0]))
    connection.execute(text("INSERT INTO post_members (post_id, user_id) VALUES (:post, :user)"),
                       [dict(post=post, user=user) for post, user in members])
    units: dict[UnitKind, list[tuple[int, int]]] = {}
    for name_zh, name_en, kind, email, person in CENTER_UNITS:
        unit = connection.scalar(text(
            "INSERT INTO demonstration_units (name_zh, name_en, kind, contact_person, phone, email, active, "
            "created_at) VALUES (:zh, :en, :kind, :person, '13800001111', :email, true, :now) RETURNING id"),
            dict(zh=name_zh, en=name_en, kind=int(kind), person=person, email=email, now=now))
        units.setdefault(kind, []).append((unit, add_user(email, person, Role.UNIT_REPORTER, unit_id=unit)))
    return {"posts": post_ids, "staff": staff, "units": units,
            **fill_enterprises(connection, rng, enterprises, password_hash, now)}


def fill_enterprises(connection, rng: random.Random, count: int, password_hash: str, now: datetime) -> dict:
    """Recorded enterprises (those with cases; a few since suspended), some pending or rejected without cases.
    Half of the recorded ones are small (a few dozen cases each), the others share the rest unevenly."""
    names = rng.sample([(core, trade, form) for core in CORES for trade in TRADES for form in FORMS], count)
    taken: set = set()
    rows = []
    for number, ((core, core_en), (trade, trade_en), (form, form_en)) in enumerate(names):
        status = (OrganisationStatus.PENDING if number % 10 == 9 else OrganisationStatus.REJECTED if number % 40 == 19
                  else OrganisationStatus.SUSPENDED if number % 50 == 7 else OrganisationStatus.RECORDED)
        rows.append(dict(zh=f"中山市古镇{core}{trade}{form}", en=f"Zhongshan Guzhen {core_en} {trade_en} {form_en}",
                         code=_credit_code(rng, taken), address=f"广东省中山市古镇镇东兴中路{number + 1}号",
                         person=_name(rng), phone=f"0760-2233{number:04d}", email=f"ent{number:03d}@bench.ipcenter.cn",
                         products="、".join(rng.sample(PRODUCTS, 3)), status=int(status), now=now))
    ids = [connection.scalar(text(
        "INSERT INTO organisations (name_zh, name_en, credit_code, address, contact_person, phone, email, "
        "main_products, status, created_at) VALUES (:zh, :en, :code, :address, :person, :phone, :email, :products, "
        ":status, :now) RETURNING id"), row) for row in rows]
    submitters, users = {}, []
    for number, organisation_id in enumerate(ids):
        for seat in range(1 + (number % 3 == 0) + (number % 7 == 0)):
            email = f"ent{number:03d}{'abc'[seat]}@bench.ipcenter.cn"
            users.append(dict(email=email, token=f"bench-{email}", name=_name(rng),
                              hash=password_hash, organisation_id=organisation_id, now=now))
    connection.execute(text(
        "INSERT INTO users (email, display_name, password_hash, role, active, email_verified, language, "
        "session_token, organisation_id, created_at) VALUES (:email, :name, :hash, 1, true, true, 'zh', :token, "
        ":organisation_id, :now)"), users)
    for organisation_id, user_id in connection.execute(text(
            "SELECT organisation_id, min(id) FROM users WHERE organisation_id IS NOT NULL GROUP BY organisation_id")):
        submitters[organisation_id] = user_id
    with_cases = [i for i, row in zip(ids, rows) if row["status"] in (OrganisationStatus.RECORDED,
                                                                        OrganisationStatus.SUSPENDED)]
    rng.shuffle(with_cases)
    half = len(with_cases) // 2
    return {"submitters": submitters, "small": with_cases[:half], "large": with_cases[half:]}


# The cases ------------------------------------------------------------------------------------------------

def _staging_tables(connection, histories: list[History], chosen: list[Variant], people: dict) -> None:
    """The histories, their variants and the draw of a variant by slot, as temporary tables on the server."""
    connection.execute(text("""
        CREATE TEMP TABLE bench_steps (history int, number int, kind int, action text, from_stage text,
            to_stage text, offset_days float8, actor text, post text, staff_count int, detail text, comment text)
            ON COMMIT DROP;
        CREATE TEMP TABLE bench_variants (id int PRIMARY KEY, history int, steps int, case_type text,
            patent_kind text, stage text, open bool, outcome text, post_id int, post_code text, staff_count int,
            entered float8, total float8,
            allowance int, resume_stage text, paused_days_left int, application bool, patent bool,
            unit_kind int, unit_count int, delegation_start float8, delegation_end float8, transitions int)
            ON COMMIT DROP;
        CREATE TEMP TABLE bench_picks (slot int PRIMARY KEY, variant int) ON COMMIT DROP;
        CREATE TEMP TABLE bench_post_staff (post text, slot int, user_id int) ON COMMIT DROP;
        CREATE TEMP TABLE bench_units (kind int, slot int, unit_id int, reporter_id int) ON COMMIT DROP;
        CREATE TEMP TABLE bench_submitters (organisation_id int PRIMARY KEY, user_id int) ON COMMIT DROP;
    """))
    staff, units = people["staff"], people["units"]
    _copy(connection, "bench_steps", [
        (h, n, int(s.kind), s.action, s.from_stage, s.to_stage, s.offset, s.actor, s.post,
         len(staff[s.post]) if s.post else None, s.detail,
         COMMENTS.get(s.action or "") if s.kind == EventKind.TRANSITION else
         BRIEFS[histories[h].unit_kind] if s.kind == EventKind.DELEGATED else None)
        for h, history in enumerate(histories) for n, s in enumerate(history.steps)])
    rows = []
    for number, variant in enumerate(chosen):
        history, state = histories[variant.history], variant.state
        post = CASE_TYPES[history.case_type].stage(state.stage).post if variant.open else None
        delegated = history.unit_kind is not None and state.delegation_start is not None
        rows.append((number, variant.history, variant.count, history.case_type, history.patent_kind, state.stage,
                     variant.open, state.outcome, people["posts"][post] if post else None, post,
                     len(staff[post]) if post else None, state.entered, history.steps[variant.count - 1].offset,
                     state.allowance if variant.open else None, state.resume_stage, state.paused_days_left,
                     state.application, state.patent, int(history.unit_kind) if delegated else None,
                     len(units[history.unit_kind]) if history.unit_kind else None, state.delegation_start,
                     state.delegation_end, state.transitions))
    _copy(connection, "bench_variants", rows)
    # Slot k of PICK_SLOTS draws the variant whose cumulative weight covers (k + 0.5) / PICK_SLOTS.
    total, running, picks, variant = sum(v.weight for v in chosen), 0.0, [], 0
    for slot in range(PICK_SLOTS):
        point = (slot + 0.5) / PICK_SLOTS * total
        while running + chosen[variant].weight < point and variant < len(chosen) - 1:
            running += chosen[variant].weight
            variant += 1
        picks.append(variant)
    connection.execute(text("INSERT INTO bench_picks SELECT slot - 1, variant FROM unnest(CAST(:picks AS int[])) "
                            "WITH ORDINALITY AS pick (variant, slot)"), {"picks": picks})
    connection.execute(text("INSERT INTO bench_post_staff VALUES (:post, :slot, :user)"),
                       [dict(post=code, slot=n, user=user) for code, users in staff.items()
                        for n, user in enumerate(users)])
    connection.execute(text("INSERT INTO bench_units VALUES (:kind, :slot, :unit, :reporter)"),
                       [dict(kind=int(kind), slot=n, unit=unit, reporter=reporter)
                        for kind, pairs in units.items() for n, (unit, reporter) in enumerate(pairs)])
    connection.execute(text("INSERT INTO bench_submitters VALUES (:organisation, :user)"),
                       [dict(organisation=o, user=u) for o, u in people["submitters"].items()])


def _copy(connection, table: str, rows: list[tuple]) -> None:
    """Rows into a table of this transaction, by COPY (an INSERT per row costs a round trip)."""
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


CHECK_CHARACTER = """
    CREATE FUNCTION pg_temp.cn_number(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT body || '.' || substr('0123456789X', (
            SELECT sum(substr(body, i, 1)::int * (ARRAY[2,3,4,5,6,7,8,9,2,3,4,5])[i]) FROM generate_series(1, 12) i
        )::int % 11 + 1, 1) $$
"""

# Each case: its variant, its enterprise (small ones rarely: a few dozen cases each), its pace (the history's
# days times 0.6 to 1.4) and its place in time. A closed case ended within the last four years (more lately:
# the center grows); an open case entered its stage a fraction of the stage's allowance ago (past it: late).
CASES_DRAWN = """
    CREATE TEMP TABLE bench_cases ON COMMIT DROP AS
    WITH draws AS MATERIALIZED (
        SELECT n, floor(random() * :slots)::int AS slot, 0.6 + random() * 0.8 AS pace, random() * 1.15 AS late,
               random() AS back, random() AS mix, random() AS who, random() AS small, random() AS r1,
               random() AS r2, random() AS r3, random() AS r4
        FROM generate_series(1, :cases) n),
    enterprises AS (SELECT CAST(:small AS int[]) AS small, CAST(:large AS int[]) AS large),
    placed AS (
        SELECT d.*, v.*,
               CASE WHEN v.open
                    THEN :now - ((v.entered * d.pace) + d.late * greatest(v.allowance, 1) * 1.4) * interval '1 day'
                    ELSE :now - (1 + 1459 * CASE WHEN d.mix < 0.5 THEN d.back ELSE 1 - sqrt(d.back) END
                                 + v.total * d.pace) * interval '1 day'
               END AS created_at,
               CASE WHEN d.small < 0.006 THEN e.small[1 + floor(d.who * cardinality(e.small))::int]
                    ELSE e.large[1 + floor(cardinality(e.large) * power(d.who, 1.6))::int] END AS organisation_id
        FROM draws d JOIN bench_picks p ON p.slot = d.slot JOIN bench_variants v ON v.id = p.variant
        CROSS JOIN enterprises e)
    SELECT p.*, s.user_id AS submitter_id, u.unit_id, u.reporter_id,
           row_number() OVER (ORDER BY p.created_at, p.n) AS case_id,
           row_number() OVER (PARTITION BY extract(year FROM p.created_at AT TIME ZONE 'Asia/Shanghai')
                              ORDER BY p.created_at, p.n) AS year_number,
           p.created_at + p.entered * p.pace * interval '1 day' AS entered_at
    FROM placed p JOIN bench_submitters s ON s.organisation_id = p.organisation_id
    LEFT JOIN bench_units u ON u.kind = p.unit_kind AND u.slot = p.n % p.unit_count
"""

CASES_WRITTEN = """
    INSERT INTO cases (id, reference, case_type, title, description, organisation_id, submitter_id, stage, post_id,
        assignee_id, delegated_unit_id, priority, due_date, due_counted_from, due_working_days, paused_days_left,
        resume_stage, created_at, updated_at, closed_at, outcome, version, patent_kind, product_name,
        classification, application_number, patent_number, retrieval_purpose, target_description, topic, country,
        counterparty, foreign_event, external_deadline)
    SELECT c.case_id,
        'ZS-' || extract(year FROM c.created_at AT TIME ZONE 'Asia/Shanghai') || '-'
            || lpad(c.year_number::text, 6, '0'),
        c.case_type, t.title, t.description, c.organisation_id, c.submitter_id, c.stage, c.post_id,
        CASE WHEN c.open AND c.r4 < 0.75 THEN ps.user_id END,
        CASE WHEN c.open AND c.delegation_start IS NOT NULL AND c.delegation_end IS NULL THEN c.unit_id END,
        CASE WHEN c.r4 < 0.05 THEN 4 WHEN c.r4 < 0.2 THEN 3 WHEN c.r4 > 0.9 THEN 1 ELSE 2 END,
        CASE WHEN c.open THEN CASE WHEN c.case_type = 'foreign_assistance'
                                   THEN least(due.day, t.external_deadline) ELSE due.day END END,
        CASE WHEN c.open THEN due.counted_from END, c.allowance, c.paused_days_left, c.resume_stage,
        c.created_at, c.last_at, CASE WHEN NOT c.open THEN c.entered_at END, c.outcome, c.transitions + 1,
        c.patent_kind, t.product_name, t.classification,
        CASE WHEN c.application THEN 'CN' || t.number END, CASE WHEN c.patent THEN 'ZL' || t.number END,
        t.retrieval_purpose, t.target_description, t.topic, t.country, t.counterparty, t.foreign_event,
        t.external_deadline
    FROM (SELECT *, created_at + total * pace * interval '1 day' AS last_at FROM bench_cases) c
    CROSS JOIN bench_words w
    LEFT JOIN bench_post_staff ps ON ps.post = c.post_code AND ps.slot = c.n % c.staff_count
    CROSS JOIN LATERAL (
        SELECT (c.entered_at AT TIME ZONE 'Asia/Shanghai')::date AS counted_from) start
    CROSS JOIN LATERAL (
        -- the allowance in working days (Monday to Friday) from the day the stage was entered
        SELECT start.counted_from + (c.allowance / 5) * 7 + (c.allowance % 5)
               + CASE WHEN extract(isodow FROM start.counted_from) + c.allowance % 5 > 5 THEN 2 ELSE 0 END
               + CASE extract(isodow FROM start.counted_from) WHEN 6 THEN -1 WHEN 7 THEN -2 ELSE 0 END AS day,
               start.counted_from) due
    CROSS JOIN LATERAL (
        SELECT
            CASE c.case_type
                WHEN 'patent_filing' THEN CASE WHEN c.patent_kind = 'design' THEN style || product || '外观设计'
                                               ELSE '一种' || style || product END
                WHEN 'fast_pre_examination' THEN style || product || CASE WHEN c.patent_kind = 'design'
                                                 THEN '外观设计快速预审' ELSE '快速预审' END
                WHEN 'fast_retrieval' THEN style || product
                                           || (ARRAY['新颖性检索', '侵权风险检索', '自由实施检索'])[purpose]
                WHEN 'consultation' THEN question
                ELSE fair || matter END AS title,
            CASE c.case_type
                WHEN 'consultation' THEN '我司主营' || product || '，' || question || '？请中心给予指导。'
                WHEN 'foreign_assistance' THEN '我司参加' || fair || '，' || matter || '，需要中心协助应对。'
                ELSE '新款' || product || '，' || style || '造型，计划于下季度上市，请中心协助办理。'
            END AS description,
            CASE WHEN c.case_type IN ('patent_filing', 'fast_pre_examination') THEN product END AS product_name,
            CASE WHEN c.case_type IN ('patent_filing', 'fast_pre_examination') THEN
                CASE WHEN c.patent_kind = 'design' THEN class ELSE 'F21S 8/00' END END AS classification,
            CASE WHEN c.case_type = 'fast_retrieval'
                 THEN (ARRAY['novelty', 'infringement_risk', 'freedom_to_operate'])[purpose] END AS retrieval_purpose,
            CASE WHEN c.case_type = 'fast_retrieval'
                 THEN style || product || '，请检索近五年同类外观设计。' END AS target_description,
            CASE WHEN c.case_type = 'consultation' THEN topic_code END AS topic,
            CASE WHEN c.case_type = 'foreign_assistance' THEN country END AS country,
            CASE WHEN c.case_type = 'foreign_assistance'
                 THEN w.counterparties[1 + floor(c.r3 * cardinality(w.counterparties))::int] END AS counterparty,
            CASE WHEN c.case_type = 'foreign_assistance' THEN event END AS foreign_event,
            CASE WHEN c.case_type = 'foreign_assistance' AND event = 'exhibition'
                 THEN (c.created_at AT TIME ZONE 'Asia/Shanghai')::date + 20 + floor(c.r3 * 60)::int
            END AS external_deadline,
            pg_temp.cn_number(extract(year FROM c.created_at AT TIME ZONE 'Asia/Shanghai')::text
                || CASE c.patent_kind WHEN 'invention' THEN '1' WHEN 'utility_model' THEN '2' ELSE '3' END
                || lpad(((c.case_id * 7919) % 10000000)::text, 7, '0')) AS number
        FROM (SELECT w.products[1 + floor(c.r1 * cardinality(w.products))::int] AS product,
                     w.classes[1 + floor(c.r1 * cardinality(w.products))::int] AS class,
                     w.styles[1 + floor(c.r2 * cardinality(w.styles))::int] AS style,
                     w.fairs[1 + floor(c.r2 * cardinality(w.fairs))::int] AS fair,
                     w.countries[1 + floor(c.r2 * cardinality(w.fairs))::int] AS country,
                     w.matters[1 + floor(c.r1 * cardinality(w.matters))::int] AS matter,
                     w.events[1 + floor(c.r1 * cardinality(w.matters))::int] AS event,
                     w.questions[1 + floor(c.r1 * cardinality(w.questions))::int] AS question,
                     w.topics[1 + floor(c.r1 * cardinality(w.questions))::int] AS topic_code,
                     1 + floor(c.r2 * 3)::int AS purpose) pick) t
    ORDER BY c.case_id
"""

# Every case's timeline: its history's steps (by the enterprise's submitter, a staff member of the post, or the
# unit's reporter); the claim of an open case that has an assignee; the unit's progress reports while it worked
# on the case (one to three, evenly spread; the quiet unit's last weeks ago). Numbered in the order they happened.
EVENTS_WRITTEN = """
    INSERT INTO case_events (case_id, actor_id, kind, action, from_stage, to_stage, comment, detail, public,
                             percent, subject_user_id, unit_id, created_at)
    SELECT * FROM (
        SELECT c.case_id, CASE s.actor WHEN 'enterprise' THEN c.submitter_id WHEN 'unit' THEN c.reporter_id
                                       ELSE ps.user_id END,
               s.kind, s.action, s.from_stage, s.to_stage, s.comment,
               CASE s.detail WHEN 'application' THEN k.application_number WHEN 'patent' THEN k.patent_number END,
               s.kind IN (:submitted, :transition), NULL::int, NULL::int,
               CASE WHEN s.kind IN (:delegated, :delegation_ended) THEN c.unit_id END,
               c.created_at + s.offset_days * c.pace * interval '1 day' AS at
        FROM bench_cases c JOIN cases k ON k.id = c.case_id
        JOIN bench_steps s ON s.history = c.history AND s.number < c.steps
        LEFT JOIN bench_post_staff ps ON ps.post = s.post AND ps.slot = (c.n + s.number) % s.staff_count
      UNION ALL
        SELECT c.case_id, k.assignee_id, :assigned, NULL, NULL, NULL, NULL, NULL, false, NULL, k.assignee_id, NULL,
               c.entered_at + (:now - c.entered_at) * 0.1
        FROM bench_cases c JOIN cases k ON k.id = c.case_id WHERE k.assignee_id IS NOT NULL
      UNION ALL
        SELECT c.case_id, c.reporter_id, :report, NULL, NULL, NULL, w.notes[1 + (c.n + i) % cardinality(w.notes)],
               NULL, false, (100 * i / (reports + 1))::int, NULL, c.unit_id, first + (last - first) * i / (reports + 1)
        FROM bench_words w, (SELECT c.*, c.created_at + c.delegation_start * c.pace * interval '1 day' AS first,
                     CASE WHEN c.delegation_end IS NOT NULL
                          THEN c.created_at + c.delegation_end * c.pace * interval '1 day'
                          WHEN c.unit_kind = :quiet_kind THEN :now - (15 + c.r3 * 25) * interval '1 day'
                          ELSE :now - c.r3 * 4 * interval '1 day' END AS last,
                     1 + c.n % 3 AS reports
              FROM bench_cases c WHERE c.unit_id IS NOT NULL) c
        CROSS JOIN generate_series(1, c.reports) i
        WHERE c.last > c.first
    ) events ORDER BY at
"""

# News: the enterprise hears of every step of the last 90 days; a post's staff of the requests that arrived in the
# last 30; the assignee of what the enterprise or the unit did in the last 30. Read after a while, but the last days'.
NOTIFICATIONS_WRITTEN = """
    INSERT INTO notifications (user_id, kind, case_id, event_id, actor_id, created_at, read_at)
    SELECT user_id, kind, case_id, event_id, actor_id, created_at,
           CASE WHEN created_at < :now - interval '3 days' THEN created_at + interval '20 hours' END
    FROM (
        SELECT k.submitter_id AS user_id, 'stage_changed' AS kind, e.case_id, e.id AS event_id, e.actor_id,
               e.created_at
        FROM case_events e JOIN cases k ON k.id = e.case_id
        WHERE e.kind = :transition AND e.created_at > :now - interval '90 days'
      UNION ALL
        SELECT m.user_id, 'case_submitted', e.case_id, e.id, e.actor_id, e.created_at
        FROM case_events e JOIN cases k ON k.id = e.case_id
        JOIN posts p ON p.code = 'intake' AND k.case_type IN ('patent_filing', 'fast_pre_examination', 'fast_retrieval')
                        OR p.code = 'consultation' AND k.case_type = 'consultation'
                        OR p.code = 'foreign_assistance' AND k.case_type = 'foreign_assistance'
        JOIN post_members m ON m.post_id = p.id JOIN users u ON u.id = m.user_id AND u.role = :staff
        WHERE e.kind = :submitted AND e.created_at > :now - interval '30 days'
      UNION ALL
        SELECT k.assignee_id, CASE WHEN e.kind = :report THEN 'unit_report' ELSE 'stage_changed' END, e.case_id,
               e.id, e.actor_id, e.created_at
        FROM case_events e JOIN cases k ON k.id = e.case_id JOIN users a ON a.id = e.actor_id
        WHERE k.assignee_id IS NOT NULL AND a.role IN (:enterprise, :reporter)
          AND e.created_at > :now - interval '30 days' AND e.kind <> :submitted
    ) news ORDER BY created_at
"""


# Most enterprises answer the question asked when a case ends with its result, a few days later, mostly content:
# the answer kept about the closing as the app keeps it (SatisfactionAnswer.about: the kind, the post owning the
# stage the case closed from, read from the stays the engine counted).
ANSWERS_WRITTEN = """
INSERT INTO satisfaction_answers (case_id, answered_by_id, score, comment, answered_at, case_type, post)
SELECT c.id, c.submitter_id, (ARRAY[1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5])[1 + floor(random() * 13)::int],
       '', c.closed_at + interval '1 hour' * (2 + floor(random() * 70)), c.case_type, closing.post
FROM cases c
JOIN (SELECT DISTINCT ON (s.case_id) s.case_id, s.post FROM stage_stints s JOIN cases k ON k.id = s.case_id
      WHERE k.closed_at IS NOT NULL AND s.next_stage = k.stage ORDER BY s.case_id, s.left_on DESC, s.id DESC
     ) closing ON closing.case_id = c.id
WHERE (c.case_type, c.stage) IN (SELECT * FROM unnest(CAST(:types AS text[]), CAST(:stages AS text[])))
  AND c.closed_at < :now - interval '3 days' AND random() < 0.6
"""


def fill_answers(connection) -> None:
    endings = [(code, stage) for code, kind in CASE_TYPES.items() for stage in sorted(kind.rated_endings)]
    connection.execute(text(ANSWERS_WRITTEN), dict(types=[code for code, _ in endings],
                                                   stages=[stage for _, stage in endings], now=datetime.now(UTC)))


def fill_cases(connection, people: dict, cases: int, seed: int, log) -> dict:
    rng = random.Random(seed)
    histories, chosen = variants(rng)
    _staging_tables(connection, histories, chosen, people)
    connection.execute(text(CHECK_CHARACTER))
    connection.execute(text("SELECT setseed(:seed)"), {"seed": (seed % 1000) / 1000})
    now = datetime.now(UTC)
    connection.execute(text("ANALYZE bench_steps; ANALYZE bench_variants; ANALYZE bench_picks; "
                            "ANALYZE bench_post_staff; ANALYZE bench_units; ANALYZE bench_submitters"))
    connection.execute(text(CASES_DRAWN), dict(slots=PICK_SLOTS, cases=cases, now=now, small=people["small"],
                                               large=people["large"]))
    connection.execute(text("ANALYZE bench_cases"))
    log("cases drawn")
    words = dict(products=PRODUCTS, classes=PRODUCT_CLASSES, styles=STYLES, fairs=[f for f, _ in FAIRS],
                 countries=[c for _, c in FAIRS], matters=[m for m, _ in FOREIGN_MATTERS],
                 events=[e for _, e in FOREIGN_MATTERS], questions=QUESTIONS, topics=TOPICS,
                 counterparties=COUNTERPARTIES, notes=REPORT_NOTES)
    connection.execute(text("CREATE TEMP TABLE bench_words ON COMMIT DROP AS SELECT "
                            + ", ".join(f"CAST(:{name} AS text[]) AS {name}" for name in words)), words)
    connection.execute(text(CASES_WRITTEN))
    connection.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
    connection.execute(text(
        "INSERT INTO case_reference_counters (year, last_number) SELECT substr(reference, 4, 4)::int, "
        "max(substr(reference, 9)::int) FROM cases GROUP BY 1"))
    connection.execute(text("ANALYZE cases"))
    log("cases written")
    kinds = dict(submitted=int(EventKind.SUBMITTED), transition=int(EventKind.TRANSITION),
                 delegated=int(EventKind.DELEGATED), delegation_ended=int(EventKind.DELEGATION_ENDED),
                 assigned=int(EventKind.ASSIGNED), report=int(EventKind.PROGRESS_REPORT))
    connection.execute(text(EVENTS_WRITTEN), dict(now=now, quiet_kind=int(QUIET_UNIT_KIND), **kinds))
    log("timelines written")
    connection.execute(text(NOTIFICATIONS_WRITTEN), dict(now=now, staff=int(Role.STAFF),
                                                         enterprise=int(Role.ENTERPRISE),
                                                         reporter=int(Role.UNIT_REPORTER), **kinds))
    log("notifications written")
    return {"histories": len(histories), "variants": len(chosen)}
