"""Background jobs of live chat: ending chats whose resident's page is gone."""

from django_tasks import task

from civicdesk.chat import actions


@task()
def expire_idle_sessions() -> int:
    return actions.expire_idle_sessions()
