"""Pages of the meetings app. For now only the index: the area's rules and the user's open deadlines in it."""

from django.contrib.auth.decorators import login_required

from tiexi_gov.views import area_page

RULES = [
    ("MTG-1", "四类会议：全体会议、党组会议、常务会议、专题会议"),
    ("MTG-4", "常务会议原则上每月第二个星期三召开，固定列席单位"),
    ("MTG-5", "议题请示至迟于会前 3 个工作日报办公室，方案批准后不再增加议题"),
    ("MTG-6", "常务会议纪要：办公室起草、分管副主任、主任审核，司法局合法性审查，区长签发"),
    ("MTG-7", "专题会议纪要：牵头部门起草、与会部门会签、主持领导审核、区长签发"),
    ("MTG-8", "不符合条件的议题不上会；部门意见不一致的先开专题会协调"),
    ("MTG-9", "不能出席会议的须会前请假"),
    ("MTG-10", "会议决定印发的文件在会后 7 个工作日内印发"),
    ("MTG-11", "全区性会议列入会议计划，按规定命名和审批"),
]


@login_required
def index(request):
    return area_page(
        request,
        title="会议",
        rule_prefix="MTG-",
        intro="全体会议、党组会议、常务会议、专题会议的议题、通知、纪要与会议计划，依据《工作规则》第十章（第五十二条至第五十九条）。",
        rules=RULES,
    )
