"""Pages of the documents app. For now only the index: the area's rules and the user's open deadlines in it."""

from django.contrib.auth.decorators import login_required

from tiexi_gov.views import area_page

RULES = [
    ("DOC-1", "经区政府办公室报文，不多头报文、不越级行文"),
    ("DOC-2", "报送公文由单位主要负责人或授权的分管负责人签发"),
    ("DOC-3", "单位印发后 3 个工作日内报送，办公室登记并附公文处理单"),
    ("DOC-5", "请示一文一事，报告不夹带请示事项"),
    ("DOC-6", "涉及其他单位职权的事项须书面征求意见"),
    ("DOC-7", "征求意见 5 个工作日内答复，逾期不回复视为无不同意见"),
    ("DOC-10", "给区政府留出办理时间：一般 10 个工作日，紧急 5 个工作日"),
    ("DOC-11", "办公室分管副主任、主任审核后按分管领导呈批"),
    ("DOC-13", "审批时限：一般 10、加急 5、特急 3、特急重要 2 个工作日"),
    ("DOC-14", "按发文名义确定审核、签发领导"),
    ("DOC-17", "每份文稿注明公开属性"),
]


@login_required
def index(request):
    return area_page(
        request,
        title="公文办理",
        rule_prefix="DOC-",
        intro="收文登记、公文处理单、会签征求意见、审核签发，依据《工作规则》第十一章（第六十条至第六十三条）。",
        rules=RULES,
    )
