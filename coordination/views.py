"""Pages of the coordination app. For now only the index: the area's rules and the user's open deadlines in it."""

from django.contrib.auth.decorators import login_required

from tiexi_gov.views import area_page

RULES = [
    ("CRD-1", "设立或调整：部门申请、办公室审核、分管副区长审核、区长批准"),
    ("CRD-2", "设立须符合法定依据等条件，规格不得高于上级对应机构"),
    ("CRD-3", "牵头领导职务变动时及时调整，成员调整报办公室备案"),
    ("CRD-4", "办公室定期清理，符合条件的撤销或合并"),
    ("CRD-5", "年初报送年度目标，年底前检查完成情况"),
]


@login_required
def index(request):
    return area_page(
        request,
        title="议事协调",
        rule_prefix="CRD-",
        intro="议事协调机构的设立、调整、撤并与年度目标责任，依据《工作规则》第十二章（第六十四条至第六十八条）。",
        rules=RULES,
    )
