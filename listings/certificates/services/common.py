"""Small helpers shared by the certificate services."""

from governance.lib.request_context import Actor, actor_for, current_actor


def audit_actor(user) -> Actor:
    """The request's actor (with its address) when it is this user, else this user without an address."""
    actor = current_actor()
    return actor if actor.user_id == user.pk else actor_for(user)
