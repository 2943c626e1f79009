"""The FSM transitions' permission hook, shared by every app (DESIGN: object-only, never a global permission)."""

from importlib import import_module


def object_permission(permissions_module: str, check_name: str):
    """A transition `permission=` callable that asks `<permissions_module>.<check_name>(user, instance)`,
    imported lazily so models never import the permission rules at load time."""

    def check(instance, user) -> bool:
        return bool(getattr(import_module(permissions_module), check_name)(user, instance))

    check.__name__ = check_name
    check.key = (permissions_module, check_name)  # transitions sharing a check are asked once (kernel)
    return check
