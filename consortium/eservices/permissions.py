"""Who may see and change what in the e-services app. Views ask here; services do not
check the actor (they enforce the rules of the data). Objects outside a person's scope
come from restricted querysets in selectors.py and answer 404."""

from consortium.permissions import roles_of

__all__ = (
    "can_manage", "is_member", "can_record_take_up_for", "can_answer_for", "can_propose",
    "proposal_libraries", "answer_libraries",
)


def can_manage(user) -> bool:
    """Staff run the catalogue, evaluation groups, triage and the annual plan."""
    return roles_of(user).staff


def is_member(user) -> bool:
    """Anyone with a role: sees announcements, summaries, proposals and the published plan."""
    return roles_of(user).any


def answer_libraries(user) -> frozenset:
    """Libraries for which the person records take-ups and answers evaluation invitations:
    where they are the library's contact."""
    return roles_of(user).contact_of


def can_record_take_up_for(user, library_id) -> bool:
    roles = roles_of(user)
    return roles.staff or library_id in roles.contact_of


def can_answer_for(user, library_id) -> bool:
    return library_id in roles_of(user).contact_of


def proposal_libraries(user) -> frozenset:
    """A library's contact or director proposes for it and backs others' proposals."""
    return roles_of(user).library_ids


def can_propose(user) -> bool:
    return bool(proposal_libraries(user))
