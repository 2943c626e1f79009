from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tiexi_gov.notify"
    label = "notify"
    verbose_name = "消息通知"
