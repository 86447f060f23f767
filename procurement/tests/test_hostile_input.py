"""Hostile input (hypothesis) to the opt-in service: a clear ValidationError or a clean result,
never another exception, never half-saved."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from consortium.models import Role
from consortium.tests.factories import LounaLibraryFactory, user_with_role
from consortium.tests.hostile import FUZZ, HOSTILE_TEXT, fails_cleanly_or_saves
from procurement import services as procurement_services
from procurement.models import OptIn
from procurement.tests.factories import OpenProcurementFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- procurement opt-in

MONEY = st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2),
                  st.sampled_from([10 ** 15, -1, 0, "12 500,50", "1e309"]))


@FUZZ
@given(answer=st.sampled_from(["committed", "interested", "declined", "withdrawn", "", "=1+1"]), estimate=MONEY,
       text=HOSTILE_TEXT, decision_date=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))))
def test_opt_in_answer_with_hostile_input(answer, estimate, text, decision_date):
    library = LounaLibraryFactory()
    contact = user_with_role(Role.CONTACT, library=library)
    procurement = OpenProcurementFactory()
    opt_in, error = fails_cleanly_or_saves(lambda: procurement_services.opt_in_answer(
        procurement=procurement, library=library, by=contact, answer=answer, expected_version=0,
        yearly_estimate=estimate, contact_name=text, contact_email="", contact_phone=text[:40],
        decision_maker=text, decision_date=decision_date, decision_number=text, decline_reason=text))
    if error:
        assert not OptIn.objects.filter(procurement=procurement, library=library).exists()
    else:
        assert OptIn.objects.get(pk=opt_in.pk).answer == answer


