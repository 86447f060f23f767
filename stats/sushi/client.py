"""A small COUNTER_SUSHI 5 / 5.1 client on the standard library (urllib): ask /status,
/reports and one report for one month, and sort the answer's COUNTER exceptions into what
the harvest does next. Why not celus-nigiri: see docs/stats.md.

The credentials travel only in the query string of the request; they are never put into
an exception, a log line or a stored error (`redact` takes them out of anything the vendor
echoes back)."""

import calendar
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

__all__ = ("SushiClient", "SushiAnswer", "Outcome", "classify", "exceptions_of", "ATTRIBUTES")

# Master reports are asked with the attributes our reader keeps (stats/counter.py), so one
# row per data type, access type, access method and YOP comes back, as in a downloaded file.
ATTRIBUTES = {
    "TR": "Data_Type|Access_Type|Access_Method|YOP",
    "PR": "Data_Type|Access_Method",
    "DR": "Data_Type|Access_Method",
}
USER_AGENT = "Kirjastokonsortio-portal SUSHI harvester"
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class SushiAnswer:
    """What came back: the HTTP status and body, or the transport problem (timeout...)."""

    status: int | None = None
    body: bytes = b""
    transport_error: str = ""
    document: object = None  # the JSON, when the body is JSON

    @property
    def is_json(self) -> bool:
        return self.document is not None


class SushiClient:
    def __init__(self, *, url: str, release: str, customer_id: str, requestor_id: str = "", api_key: str = "",
                 platform: str = "", timeout: float | None = None):
        self.base = url.rstrip("/")
        self.release = release
        self.secrets = [value for value in (customer_id, requestor_id, api_key) if value]
        self.params = {"customer_id": customer_id}
        if requestor_id:
            self.params["requestor_id"] = requestor_id
        if api_key:
            self.params["api_key"] = api_key
        if platform:
            self.params["platform"] = platform
        self.timeout = timeout if timeout is not None else settings.SUSHI_TIMEOUT

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def get(self, path: str, **params) -> SushiAnswer:
        query = urllib.parse.urlencode({**self.params, **params})
        request = urllib.request.Request(f"{self.base}/{path.lstrip('/')}?{query}",
                                         headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        answer = SushiAnswer()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https/http only: the form's URLField)
                answer.status, answer.body = response.status, response.read(MAX_BYTES)
        except urllib.error.HTTPError as error:
            # SUSHI servers answer exceptions with 4xx/5xx and a JSON body: keep reading it.
            answer.status = error.code
            try:
                answer.body = error.read(MAX_BYTES)
            except OSError:
                answer.body = b""
        except (TimeoutError, socket.timeout):
            answer.transport_error = f"no answer within {self.timeout:g} s"
            return answer
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
            # URLError's text names the reason, never the URL with its query.
            reason = getattr(error, "reason", error)
            answer.transport_error = self.redact(f"connection failed: {reason}")[:300]
            return answer
        try:
            answer.document = json.loads(answer.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            answer.document = None
        return answer

    def status(self) -> SushiAnswer:
        return self.get("status")

    def reports(self) -> SushiAnswer:
        return self.get("reports")

    def report(self, report_id: str, month: date) -> SushiAnswer:
        last_day = calendar.monthrange(month.year, month.month)[1]
        params = {"begin_date": f"{month:%Y-%m}-01", "end_date": f"{month:%Y-%m}-{last_day:02d}"}
        if report_id in ATTRIBUTES:
            params["attributes_to_show"] = ATTRIBUTES[report_id]
        return self.get(f"reports/{report_id.lower()}", **params)


# ---------------------------------------------------------------- the answer's exceptions


def _as_exception(value) -> dict | None:
    if isinstance(value, dict) and "Code" in value:
        try:
            code = int(value.get("Code"))
        except (TypeError, ValueError):
            code = 0
        return {"Code": code, "Severity": str(value.get("Severity", ""))[:20],
                "Message": str(value.get("Message", ""))[:300], "Data": str(value.get("Data", "") or "")[:300]}
    return None


def exceptions_of(document) -> list[dict]:
    """Every COUNTER exception of an answer: a bare exception (5), a list of them, one
    wrapped as {"Exception": ...} (some 5 servers), or the report header's Exceptions."""
    found = []
    candidates = []
    if isinstance(document, list):
        candidates = document
    elif isinstance(document, dict):
        candidates = [document, document.get("Exception")]
        candidates += list(document.get("Exceptions") or [])
        header = document.get("Report_Header")
        if isinstance(header, dict):
            candidates += list(header.get("Exceptions") or [])
    for candidate in candidates:
        exception = _as_exception(candidate)
        if exception and exception not in found:
            found.append(exception)
    return found


class Outcome:
    IMPORT = "import"  # a report: import it (warnings such as 3040 partial data are kept)
    EMPTY = "empty"  # 3030: no usage for the dates, a valid empty month
    NOT_READY = "not_ready"  # 3031: the month is not closed yet, try at the next monthly run
    RETRY = "retry"  # 1011 queued, 1000/1010/1020 busy, a timeout or a 5xx: later, with back-off
    CREDENTIALS = "credentials"  # 2000/2010/2020: stop the account until its credentials change
    FAILED = "failed"  # anything else: a person has to look


CREDENTIAL_CODES = {2000, 2010, 2020}
RETRY_CODES = {1000, 1010, 1011, 1020}


@dataclass
class Classified:
    outcome: str
    exceptions: list = field(default_factory=list)
    error: str = ""


def classify(answer: SushiAnswer, *, release: str) -> Classified:
    if answer.transport_error:
        return Classified(Outcome.RETRY, error=answer.transport_error)
    if not answer.is_json:
        if answer.status and answer.status >= 500:
            return Classified(Outcome.RETRY, error=f"HTTP {answer.status}")
        return Classified(Outcome.FAILED, error=f"HTTP {answer.status}: the answer is not JSON")
    exceptions = exceptions_of(answer.document)
    codes = {e["Code"] for e in exceptions}
    is_report = isinstance(answer.document, dict) and isinstance(answer.document.get("Report_Header"), dict)
    if codes & CREDENTIAL_CODES:
        return Classified(Outcome.CREDENTIALS, exceptions)
    if codes & RETRY_CODES:
        return Classified(Outcome.RETRY, exceptions)
    if 3031 in codes:
        return Classified(Outcome.NOT_READY, exceptions)
    if 3030 in codes and not (is_report and answer.document.get("Report_Items")):
        return Classified(Outcome.EMPTY, exceptions)
    if answer.status and answer.status >= 500:
        return Classified(Outcome.RETRY, exceptions, error=f"HTTP {answer.status}")
    if is_report and (answer.status or 200) < 400 and not answer.document.get("Report_Items"):
        return Classified(Outcome.EMPTY, exceptions)  # a report with no items is an empty month too
    if is_report and (answer.status or 200) < 400:
        header_release = str(answer.document["Report_Header"].get("Release", ""))
        if header_release and header_release != release:
            return Classified(Outcome.FAILED, exceptions,
                              error=f"the answer is COUNTER {header_release}, the account says {release}")
        return Classified(Outcome.IMPORT, exceptions)
    return Classified(Outcome.FAILED, exceptions,
                      error="" if exceptions else f"HTTP {answer.status}: no report and no COUNTER exception")
