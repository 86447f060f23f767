"""A procurement as an Open Contracting Data Standard (OCDS 1.1) release package.

Libraries that committed are `buyer`s (interested ones `interestedParty`), the purchasing
body of the procurement (as data: KL-Kuntahankinnat, Hansel) the `procuringEntity`, the
awarded suppliers `supplier`s and, when an appeal went there, the Market Court the
`reviewBody`. The framework agreement is flagged on the tender; a later call-off under it
is its own contracting process with a `framework` related process pointing back.

While the opt-in is open the libraries' answers are not published: in the portal each
answer is seen only by its own library and staff until the deadline, and this package is
public. From the close of the opt-in on, the committed and interested libraries are listed.
"""

import json
import re
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Answer, Appeal, FrameworkAgreement, OptIn, Procurement, State

__all__ = ("release_package", "release", "validator")

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PUBLISHER = "Yleisten kirjastojen konsortio"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
MARKET_COURT = {"id": "FI-markkinaoikeus", "name": "Markkinaoikeus"}

TAGS = {
    State.FOLLOWED: "planning", State.PREPARATION: "planning", State.OPEN: "planning",
    State.CLOSED: "planningUpdate", State.TENDERING: "tender", State.AWARDED: "award",
    State.IN_FORCE: "contract", State.ENDED: "contractTermination", State.CANCELLED: "tenderCancellation",
}
TENDER_STATUS = {
    State.FOLLOWED: "planning", State.PREPARATION: "planning", State.OPEN: "planning", State.CLOSED: "planned",
    State.TENDERING: "active", State.AWARDED: "complete", State.IN_FORCE: "complete", State.ENDED: "complete",
    State.CANCELLED: "cancelled",
}
CATEGORY = {"e_materials": "services", "periodicals": "goods", "books": "goods", "other": "goods"}


def _when(value) -> str | None:
    """An ISO 8601 date-time with its offset (dates are midnight in Helsinki)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = timezone.make_aware(datetime.combine(value, time()), timezone.get_default_timezone())
    else:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _absolute(path: str, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def _org_id(prefix: str, obj) -> str:
    business_id = getattr(obj, "business_id", "")
    return f"FI-PRO-{business_id}" if business_id else f"{prefix}-{obj.pk}"


def _organisation(party_id, name, roles, business_id="", locality=""):
    party = {"id": party_id, "name": name, "roles": roles}
    if business_id:
        party["identifier"] = {"scheme": "FI-PRO", "id": business_id, "legalName": name}
    if locality:
        party["address"] = {"locality": locality, "countryName": "Suomi"}
    return party


def _document(document, request):
    return {"id": str(document.pk), "documentType": {
        "call_for_interest": "tenderNotice", "tender": "biddingDocuments", "decision": "awardNotice",
        "agreement": "contractSigned", "other": "other"}.get(document.kind, "other"),
        "title": document.title, "format": document.content_type, "language": "fi",
        "datePublished": _when(document.uploaded_at),
        "url": _absolute(reverse("procurement:document", args=[document.pk]), request)}


def release(procurement: Procurement, request=None) -> dict:
    body = procurement.purchasing_body
    body_id = _org_id("purchasing-body", body)
    parties = {body_id: _organisation(body_id, body.name, ["procuringEntity"], body.business_id)}

    opt_ins = (OptIn.objects.filter(procurement=procurement, answer__in=[Answer.COMMITTED, Answer.INTERESTED])
               .select_related("library__municipality").order_by("library__municipality__code", "library__pk"))
    if procurement.state == State.OPEN:
        opt_ins = opt_ins.none()  # answers may still change and are not public yet
    for opt_in in opt_ins:
        library = opt_in.library
        party_id = f"library-{library.pk}"
        role = "buyer" if opt_in.answer == Answer.COMMITTED else "interestedParty"
        parties[party_id] = _organisation(party_id, library.name, [role], locality=library.municipality.name_fi)

    awards, contracts = [], []
    for award in procurement.awards.select_related("supplier"):
        supplier = award.supplier
        supplier_id = _org_id("supplier", supplier)
        parties.setdefault(supplier_id, _organisation(supplier_id, supplier.name, ["supplier"], supplier.business_id))
        entry = {"id": f"{procurement.ocid}-award-{award.pk}", "status": "active", "date": _when(award.decision_date),
                 "suppliers": [{"id": supplier_id, "name": supplier.name}]}
        if award.value is not None:
            entry["value"] = {"amount": float(award.value), "currency": "EUR"}
        awards.append(entry)

    agreements = FrameworkAgreement.objects.filter(procurement=procurement).select_related("supplier", "award")
    today = timezone.localdate()
    for agreement in agreements.prefetch_related("documents"):
        award_id = f"{procurement.ocid}-award-{agreement.award_id}" if agreement.award_id else (
            awards[0]["id"] if awards else f"{procurement.ocid}-award-none")
        if agreement.signed_on is None:
            status = "pending"
        elif agreement.ends_on < today:
            status = "terminated"
        else:
            status = "active"
        contract = {
            "id": f"{procurement.ocid}-contract-{agreement.pk}", "awardID": award_id,
            "title": f"Puitesopimus {agreement.reference or procurement.body_reference}: {agreement.supplier.name}",
            "status": status,
            "period": {"startDate": _when(agreement.starts_on), "endDate": _when(agreement.ends_on),
                       "maxExtentDate": _when(agreement.latest_possible_end)},
            "documents": [_document(d, request) for d in agreement.documents.all()],
        }
        if agreement.signed_on:
            contract["dateSigned"] = _when(agreement.signed_on)
        contracts.append(contract)

    if procurement.appeals.filter(kind=Appeal.Kind.MARKET_COURT).exists():
        parties[MARKET_COURT["id"]] = _organisation(MARKET_COURT["id"], MARKET_COURT["name"], ["reviewBody"])

    tender = {
        "id": procurement.body_reference or f"{procurement.ocid}-tender",
        "title": procurement.title_fi,
        "description": procurement.description_fi,
        "status": TENDER_STATUS[procurement.state],
        "procuringEntity": {"id": body_id, "name": body.name},
        "mainProcurementCategory": CATEGORY.get(procurement.category, "goods"),
        "procurementMethod": "open",
        "procurementMethodDetails": "Puitejärjestely (framework agreement)",
        "techniques": {"hasFrameworkAgreement": procurement.framework_parent_id is None},
        "documents": [_document(d, request) for d in procurement.documents.filter(agreement__isnull=True)],
    }
    if procurement.estimated_value is not None:
        tender["value"] = {"amount": float(procurement.estimated_value), "currency": "EUR"}

    data = {
        "ocid": procurement.ocid,
        "id": f"{procurement.ocid}-{timezone.localtime(procurement.updated_at):%Y%m%dT%H%M%S}",
        "date": _when(procurement.updated_at),
        "tag": [TAGS[procurement.state]],
        "initiationType": "tender",
        "language": "fi",
        "parties": list(parties.values()),
        "tender": tender,
    }
    buyers = [party for party in parties.values() if "buyer" in party["roles"]]
    if len(buyers) == 1:
        data["buyer"] = {"id": buyers[0]["id"], "name": buyers[0]["name"]}
    if awards:
        data["awards"] = awards
    if contracts:
        data["contracts"] = contracts
    if procurement.framework_parent_id:
        parent = procurement.framework_parent
        data["relatedProcesses"] = [{
            "id": f"framework-{parent.pk}", "relationship": ["framework"], "title": parent.title_fi, "scheme": "ocid",
            "identifier": parent.ocid, "uri": _absolute(reverse("procurement:ocds", args=[parent.pk]), request),
        }]
    return data


def release_package(procurement: Procurement, request=None) -> dict:
    return {
        "uri": _absolute(reverse("procurement:ocds", args=[procurement.pk]), request),
        "version": "1.1",
        "publishedDate": _when(timezone.now()),
        "publisher": {"name": PUBLISHER},
        "license": LICENSE,
        "releases": [release(procurement, request)],
    }


OFFICIAL_SCHEMA_DIR = SCHEMA_DIR / "official"


def _package_validator(directory: Path, release_uri: str):
    """A Draft 4 validator of the release-package schema in `directory`, whose releases refer
    to the release schema beside it as `release_uri`; offline."""
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_schema = json.loads((directory / "release-package-schema.json").read_text())
    release_schema = json.loads((directory / "release-schema.json").read_text())
    registry = Registry().with_resource(release_uri, Resource(contents=release_schema, specification=DRAFT4))
    checker = FormatChecker()
    # The JSON Schema "date-time" format is RFC 3339; jsonschema checks it only with an
    # optional package, so the check is spelled out here (a "T" and an offset required).
    checker.checks("date-time", raises=ValueError)(_is_rfc3339)
    return Draft4Validator(package_schema, registry=registry, format_checker=checker)


def validator():
    """The hand-made subset (schema/README.md): the fields and roles we promise to publish."""
    return _package_validator(SCHEMA_DIR, "release-schema.json")


def official_validator():
    """The official OCDS release package (envelope of 1.1.5, release schema 1.1.4 as published
    by the Open Contracting Partnership; see schema/official/README.md)."""
    return _package_validator(
        OFFICIAL_SCHEMA_DIR, "https://standard.open-contracting.org/schema/1__1__4/release-schema.json"
    )


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _is_rfc3339(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True
