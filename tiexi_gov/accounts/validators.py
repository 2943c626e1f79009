"""Password validators with Chinese messages (AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class CharacterClassesValidator:
    """At least `min_length` characters from at least `min_classes` of upper, lower, digit and symbol."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _name, test in CLASSES if any(test(c) for c in password))
        if len(password) < self.min_length or used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self):
        return f"密码至少{self.min_length}位，并至少包含大写字母、小写字母、数字、符号四类中的{self.min_classes}类。"


class PasswordHistoryValidator:
    """No reuse of the current password or of the last N (PASSWORD_HISTORY_COUNT); also records each new one."""

    def validate(self, password, user=None):
        from .passwords import history_count, reuses_recent

        if user is not None and reuses_recent(user, password):
            raise ValidationError(f"新密码不能与最近{history_count()}次使用过的密码相同。", code="password_reused")

    def password_changed(self, password, user=None):
        from .passwords import password_set

        if user is not None:
            password_set(user)

    def get_help_text(self):
        from .passwords import history_count

        return f"不能与最近{history_count()}次使用过的密码相同。"
