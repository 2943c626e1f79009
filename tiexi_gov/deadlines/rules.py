"""The catalogue of the working rules the portal enforces: ID → article (条) and a short title.

Hard-coded on purpose: the rules text lives outside the deployed code, and every page that shows a
deadline must be able to say which rule set it and which article that rule comes from (X-3).
Keep it in step with RULES.md when a rule is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tiexi_gov.listing import TemplateRow


@dataclass(frozen=True)
class Rule(TemplateRow):  # printed on every row of 我的待办 (`row.rule.article`)
    id: str
    article: str  # e.g. "第六十条"; for cross-cutting rules a short note of where they come from
    title: str  # a short Chinese title

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def label(self) -> str:
        """What lists and messages print, e.g. 「第六十条 征求意见5个工作日内答复…」: the article, never the ID."""
        return f"{self.article} {self.title}"

    def __str__(self) -> str:
        return self.label


class UnknownRule(KeyError):
    """A rule ID that is not in the catalogue: a typo would otherwise create a clock nobody can trace."""


_GENERAL = "通则（各条时限通用）"
_CROSS = "通则（贯穿全文）"

_CATALOGUE: tuple[tuple[str, str, str], ...] = (
    # ORG — 第三章
    ("ORG-1", "第十条", "政府组成与任期"),
    ("ORG-2", "第十二条、第十四条", "区长负责制与副区长分管"),
    ("ORG-3", "第十五条", "领导外出时的委托与代理"),
    ("ORG-4", "第十六条、第八十三条", "部门单位及其负责人授权"),
    ("ORG-5", "第十六条", "部门事权由部门决定"),
    # CAL — the working-day clock
    ("CAL-1", _GENERAL, "按法定工作日（含调休上班）计算时限"),
    ("CAL-2", _GENERAL, "年度日历录入；未公布年度按暂定计算"),
    ("CAL-3", _GENERAL, "“N个工作日内”不含起算当日"),
    # MTG — 第十章
    ("MTG-1", "第五十二条", "会议分类"),
    ("MTG-2", "第五十三条", "区政府全体会议"),
    ("MTG-3", "第五十四条", "区政府党组会议"),
    ("MTG-4", "第五十五条", "区政府常务会议组成与列席"),
    ("MTG-5", "第五十五条", "议题的提出、报送与区长审定"),
    ("MTG-6", "第五十五条", "常务会议纪要审核签发"),
    ("MTG-7", "第五十六条", "专题会议及纪要会签"),
    ("MTG-8", "第五十七条", "议题上会条件与分歧协调"),
    ("MTG-9", "第五十八条", "会议请假"),
    ("MTG-10", "第五十五条", "会议决定发文7个工作日内印发"),
    ("MTG-11", "第五十九条", "会议计划与会议名称"),
    ("MTG-12", "第三十六条", "会议决策公开"),
    # DOC — 第十一章
    ("DOC-1", "第六十条", "经办公室报文，不多头、不越级"),
    ("DOC-2", "第六十条", "主要负责人签发报文"),
    ("DOC-3", "第六十条", "印发后3个工作日内报送"),
    ("DOC-4", "第六十条", "以政府名义发文的依据"),
    ("DOC-5", "第六十条", "请示一文一事，报告不夹带请示"),
    ("DOC-6", "第六十条", "征求意见与分歧协调"),
    ("DOC-7", "第六十条", "征求意见5个工作日内答复，逾期视为无不同意见"),
    ("DOC-8", "第六十条；第二十四条至第二十六条", "规范性文件法定程序"),
    ("DOC-9", "第六十条", "区委会议文稿先经政府审核"),
    ("DOC-10", "第六十一条", "为政府决策留足时间（一般10个、紧急5个工作日）"),
    ("DOC-11", "第六十一条", "办公室审核后按分管呈批"),
    ("DOC-12", "第六十一条", "紧急公文串并联呈批"),
    ("DOC-13", "第六十一条", "公文审批时限"),
    ("DOC-14", "第六十二条", "签发权限"),
    ("DOC-15", "第六十三条", "年度发文计划"),
    ("DOC-16", "第六十三条", "不予发文的情形"),
    ("DOC-17", "第三十六条", "公开属性"),
    ("DOC-18", "第三十八条", "谁起草谁解读"),
    # SUP — 第九章
    ("SUP-1", "第四十七条、第五十条", "督查事项与台账"),
    ("SUP-2", "第四十九条", "进展报告（至少每半年）"),
    ("SUP-3", "第四十九条、第四十三条", "问题整改与长效机制"),
    ("SUP-4", "第五十条", "督查方式与结果运用"),
    ("SUP-5", "第五十条", "统筹督查，不重复督查"),
    ("SUP-6", "第五十一条", "绩效考核"),
    # CRD — 第十二章
    ("CRD-1", "第六十四条", "议事协调机构设立调整程序"),
    ("CRD-2", "第六十五条", "议事协调机构设立条件"),
    ("CRD-3", "第六十六条", "领导职务变动后的调整"),
    ("CRD-4", "第六十七条", "定期清理撤并"),
    ("CRD-5", "第六十八条", "年度目标责任"),
    # LEAVE
    ("LEAVE-1", "第七十五条", "区长外出提前3天报备"),
    ("LEAVE-2", "第七十五条", "副区长请假"),
    ("LEAVE-3", "第七十五条", "部门主要负责人请假报备"),
    ("LEAVE-4", "第十五条", "请假期间由代理人接办"),
    # PUB
    ("PUB-1", "第三十八条", "网站简单咨询5个工作日内答复"),
    ("PUB-2", "第三十四条、第三十六条", "决策与公文公开"),
    ("PUB-3", "第四十二条", "建议提案办理与公开"),
    # RES
    ("RES-1", "第七十九条", "调查研究"),
    # X — cross-cutting
    ("X-1", _CROSS, "全程留痕，记录不可修改"),
    ("X-2", _CROSS, "按单位、职务、分管和授权可见"),
    ("X-3", _CROSS, "时限提醒与超期督办"),
)

RULES: dict[str, Rule] = {rid: Rule(rid, article, title) for rid, article, title in _CATALOGUE}
FAMILIES: dict[str, str] = {
    "ORG": "组织与分工",
    "CAL": "工作日",
    "MTG": "会议",
    "DOC": "公文",
    "SUP": "督查督办",
    "CRD": "议事协调机构",
    "LEAVE": "请假与代理",
    "PUB": "政务公开",
    "RES": "调查研究",
    "X": "通用",
}


def get(rule_id: str) -> Rule:
    """The rule for an ID; raises UnknownRule for an ID that is not in the catalogue."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(rule_id) from None


def describe(rule_id: str) -> Rule:
    """Like get(), but never fails: a row from an older catalogue still renders."""
    return RULES.get(rule_id) or Rule(rule_id, "", "（规则目录中无此编号）")


_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ARTICLE = re.compile(r"^第([零一二两三四五六七八九十百]+)条")


def article_number(article: str) -> int | None:
    """第五十五条 → 55; None for a note that is not one article (cross-cutting rules)."""
    m = _ARTICLE.match(article)
    if not m:
        return None
    total, digit = 0, 0
    for ch in m.group(1):
        if ch == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif ch == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = _DIGITS[ch]
    return total + digit


def choices() -> list[tuple[str, str]]:
    """(id, label) pairs for filters and forms, in the order of the articles (people look for 第五十五条 between
    第五十四条 and 第五十六条), the cross-cutting rules after them, each group in catalogue order."""
    ordered = sorted(enumerate(RULES.values()), key=lambda ir: (article_number(ir[1].article) or 10_000, ir[0]))
    return [(r.id, r.label) for _, r in ordered]


# A rule ID as it may stand in text written for people: 「（DOC-7）」, 「DOC-7」, 「CAL-1..3」, 「X-2」.
_FAMILY = "|".join(FAMILIES)
_ONE_ID = r"(?<![A-Za-z0-9])(?:{f})-\d+(?:\s*(?:\.\.|–|~|至)\s*\d+)?(?![0-9])"
ID_PATTERN = re.compile(r"(?<![A-Za-z0-9])(" + _FAMILY + r")-(\d+)(?:\s*(?:\.\.|–|~|至)\s*(\d+))?(?![0-9])")
_ONLY_IDS = re.compile(r"^\s*{one}(?:\s*[、,，;；]\s*{one})*\s*$".format(one=_ONE_ID.format(f=_FAMILY)))
_BRACKET = re.compile(r"[（(]([^（）()]*)[）)]")


def _articles(match: re.Match) -> list[Rule]:
    """The rules one ID or range (CAL-1..3) names, in order."""
    family, first, last = match.group(1), int(match.group(2)), int(match.group(3) or match.group(2))
    return [RULES[f"{family}-{n}"] for n in range(first, last + 1) if f"{family}-{n}" in RULES]


def plain(text: str) -> str:
    """Text for people: every rule ID becomes its article —「（DOC-7）」→「（第六十条）」,「DOC-13」→「第六十一条」.
    Users read the working rules by article; the IDs belong to the code, the tests and the commits. A bracket of
    IDs keeps each article once and goes when the sentence already cites them, or when no article exists
    (the cross-cutting rules)."""
    if not text or "-" not in text:
        return text

    def bracket(match: re.Match) -> str:
        inner = match.group(1)
        if not _ONLY_IDS.match(inner):
            return match.group(0)
        cited: list[str] = []
        for id_match in ID_PATTERN.finditer(inner):
            if not _articles(id_match):  # not one of ours: leave the bracket as written
                return match.group(0)
            for rule in _articles(id_match):
                if rule.article.startswith("第") and rule.article not in cited:
                    cited.append(rule.article)
        before = text[: match.start()]
        fresh = [article for article in cited if article not in before]
        return f"（{'、'.join(fresh)}）" if fresh else ""

    def bare(match: re.Match) -> str:
        found = _articles(match)
        if not found:
            return match.group(0)
        words: list[str] = []
        for rule in found:
            word = rule.article if rule.article.startswith("第") else rule.title
            if word not in words:
                words.append(word)
        return "、".join(words)

    return ID_PATTERN.sub(bare, _BRACKET.sub(bracket, text))
