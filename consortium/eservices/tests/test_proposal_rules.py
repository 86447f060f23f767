"""Members' proposals and the annual plan: support from other libraries, triage with a
reason, plan items from proposals, publishing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ..models import PlanItem, Proposal
from ..services import plan_item_save, plan_publish, plan_save, proposal_submit, proposal_support, proposal_triage
from .factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_proposal_is_backed_by_other_libraries_once_each(humppila, tampere, contact, tampere_contact):
    proposal = proposal_submit(library=humppila, year=2027, title="Äänikirjat", description="Lisää äänikirjoja.",
                               need="Ikääntyvät asiakkaat.", by=contact, today=date(2026, 12, 4))
    with pytest.raises(ValidationError, match="made this proposal"):
        proposal_support(proposal=proposal, library=humppila, by=contact)
    proposal_support(proposal=proposal, library=tampere, by=tampere_contact)
    with pytest.raises(ValidationError, match="already backs this proposal"):
        proposal_support(proposal=proposal, library=tampere, by=tampere_contact)
    assert proposal.supports.count() == 1


def test_a_proposal_needs_its_texts_and_a_coming_year(humppila, contact):
    with pytest.raises(ValidationError) as error:
        proposal_submit(library=humppila, year=2025, title="", description="x", need="y", by=contact,
                        today=date(2026, 12, 4))
    assert "year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        proposal_submit(library=humppila, year=2027, title="", description="x", need="", by=contact,
                        today=date(2026, 12, 4))
    assert set(error.value.message_dict) == {"title", "need"}
    assert not Proposal.objects.exists()


def test_triage_moves_along_its_path_and_a_decision_needs_a_reason(staff_user):
    proposal = ProposalFactory()
    proposal_triage(proposal=proposal, state=Proposal.State.CONSIDERING, by=staff_user)
    with pytest.raises(ValidationError) as error:
        proposal_triage(proposal=proposal, state=Proposal.State.DECLINED, by=staff_user)
    assert error.value.message_dict["reason"] == ["Give the proposer a reason for the decision."]
    proposal_triage(proposal=proposal, state=Proposal.State.DECLINED, reason="Budjetti ei riitä.", by=staff_user)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reason) == (Proposal.State.DECLINED, "Budjetti ei riitä.")
    with pytest.raises(ValidationError, match="cannot move from"):
        proposal_triage(proposal=proposal, state=Proposal.State.PLANNED, reason="x", by=staff_user)


def test_a_plan_item_from_proposals_marks_them_planned_and_the_plan_is_published(staff_user):
    plan = plan_save(year=2027, by=staff_user)
    with pytest.raises(ValidationError, match="has no items yet"):
        plan_publish(plan=plan, by=staff_user)
    first, second, other_year = ProposalFactory(), ProposalFactory(), ProposalFactory(year=2028, title="Myöhemmin")
    with pytest.raises(ValidationError, match="another year than 2027: Myöhemmin"):
        plan_item_save(year=2027, by=staff_user, title="Äänikirjat", aim="Lisää", theme=PlanItem.Theme.EMATERIALS,
                       schedule="kevät", proposals=[first, other_year])
    item = plan_item_save(year=2027, by=staff_user, title="Äänikirjat", aim="Lisää", theme="ematerials",
                          schedule="kevät", proposals=[first, second])
    assert item.proposals.count() == 2
    first.refresh_from_db()
    assert first.state == Proposal.State.PLANNED and "Äänikirjat" in first.reason
    plan_publish(plan=plan, by=staff_user)
    plan.refresh_from_db()
    assert plan.is_published
