"""The registration dialogs: 登记 (with its three forms), and 待办 for staff."""

from __future__ import annotations

from core.dialog.flow import Flow


def registration_flows() -> list[Flow]:
    """The flows to register with the engine; also adds the 我的 section."""
    from core.registration.chat.forms import FORMS
    from core.registration.chat.mine import install
    from core.registration.chat.register import RegisterFlow
    from core.registration.chat.staff_tasks import StaffTasksFlow

    install()
    return [RegisterFlow(), *FORMS.values(), StaffTasksFlow()]
