"""Pages of the supervision app. For now only the index: the area's rules and the user's open deadlines in it."""

from django.contrib.auth.decorators import login_required

from tiexi_gov.views import area_page

RULES = [
    ("SUP-1", "督查事项来自区政府决定、会议决定或领导批示，载明牵头、协办、时限、量化标准、责任领导"),
    ("SUP-2", "承办单位跟踪报告进展，每半年至少报告一次并报办公室备案"),
    ("SUP-3", "各级督查发现的问题形成整改事项，限期整改并建立长效机制"),
    ("SUP-4", "督查方式与结果运用：表扬、激励、批评、追责"),
    ("SUP-5", "督查计划管理，台账拒绝重复事项，防止多头督查"),
    ("SUP-6", "按期完成、超期与整改情况纳入年度绩效考核"),
]


@login_required
def index(request):
    return area_page(
        request,
        title="督查督办",
        rule_prefix="SUP-",
        intro="督查事项台账、进展报告、整改与考核，依据《工作规则》第九章（第四十七条至第五十一条）。",
        rules=RULES,
    )
