"""A COUNTER_SUSHI server of our own for the tests, on 127.0.0.1 in a thread: /status,
/reports and /reports/<id> for releases 5 and 5.1, with the standard parameters
(customer_id, requestor_id, api_key, begin_date, end_date, attributes_to_show).

`stub.answers[(report, "YYYY-MM")]` chooses what a month answers (default "good"):
good, a COUNTER exception code as an int (1011, 1000, 3030, 3031, 2010, 2020...),
"malformed", "slow" (sleeps `slow_seconds` before answering), "hold" (waits for
`release_held` to be set; `holding` is set while it waits), "http500", or "bad_counts"
(a report our reader refuses). Every request is kept in `stub.requests`."""

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

CREDENTIALS = {"customer_id": "CUST-4711-secret", "requestor_id": "REQ-0815-secret", "api_key": "KEY-s3cr3t-9f2a"}
MESSAGES = {1000: "Service Not Available", 1010: "Service Busy", 1011: "Report Queued for Processing",
            1020: "Client has made too many requests", 2000: "Requestor Not Authorized to Access Service",
            2010: "Requestor is Not Authorized to Access Usage for Institution", 2020: "APIKey Invalid",
            3030: "No Usage Available for Requested Dates", 3031: "Usage Not Ready for Requested Dates"}
HTTP_STATUS = {1000: 503, 1010: 503, 1011: 202, 1020: 429, 2000: 401, 2010: 403, 2020: 401, 3030: 200, 3031: 200}


def month_count(report: str, month: str, seed: int = 0) -> int:
    """A count that differs per report and month, so imports can be told apart."""
    return 10 + int(month[5:7]) + len(report) + seed


class SushiStub:
    def __init__(self, release: str = "5"):
        self.release = release
        self.answers: dict = {}
        self.requests: list = []
        self.seed = 0  # changes the counts: a later harvest of the same month answers differently
        self.slow_seconds = 5.0
        self.holding = threading.Event()
        self.release_held = threading.Event()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/counter/r{self.release.replace('.', '')}"

    def start(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the test output is ours
                pass

            def do_GET(self):
                stub.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.release_held.set()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------ answers

    def _send(self, handler, status: int, payload=None, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass

    def exception(self, code: int, data: str = "") -> dict:
        return {"Code": code, "Severity": "Error" if code < 3000 else "Warning", "Message": MESSAGES.get(code, "?"),
                "Data": data}

    def handle(self, handler):
        parsed = urlparse(handler.path)
        params = {key: values[0] for key, values in parse_qs(parsed.query).items()}
        path = parsed.path.rstrip("/")
        self.requests.append((path.rsplit("/", 1)[-1], params))
        base = urlparse(self.url).path
        if not path.startswith(base):
            return self._send(handler, 404, {"Code": 3000, "Severity": "Error", "Message": "Report Not Supported"})
        tail = path[len(base):]
        if tail == "/status":
            return self._send(handler, 200, [{"Description": "Stub COUNTER_SUSHI service", "Service_Active": True,
                                              "Registry_URL": "https://registry.countermetrics.org/platform/stub",
                                              "Alerts": [{"Date_Time": "2026-11-01", "Alert": "Maintenance on Sunday"}]}])
        if params.get("customer_id") != CREDENTIALS["customer_id"]:
            return self._send(handler, 403, self.exception(2010, f"customer {params.get('customer_id')}"))
        if params.get("api_key") != CREDENTIALS["api_key"] or params.get("requestor_id") != CREDENTIALS["requestor_id"]:
            return self._send(handler, 401, self.exception(2020))
        if tail == "/reports":
            return self._send(handler, 200, [
                {"Report_Name": name, "Report_ID": report_id, "Release": self.release, "Report_Description": name,
                 "Path": f"/reports/{report_id.lower()}"}
                for report_id, name in (("TR", "Title Master Report"), ("PR", "Platform Master Report"),
                                        ("DR", "Database Master Report"), ("TR_J1", "Journal Requests"))])
        if not tail.startswith("/reports/"):
            return self._send(handler, 404, self.exception(3000))
        report_id = tail.rsplit("/", 1)[-1].upper()
        month = params.get("begin_date", "")[:7]
        answer = self.answers.get((report_id, month), "good")
        if answer == "hold":
            self.holding.set()
            self.release_held.wait(timeout=120)
            answer = "good"
        if answer == "slow":
            time.sleep(self.slow_seconds)
            answer = "good"
        if isinstance(answer, int):
            if answer in (3030, 3031):  # a report header with the exception and no items
                return self._send(handler, 200, self.report(report_id, params, items=False,
                                                            exceptions=[self.exception(answer)]))
            return self._send(handler, HTTP_STATUS.get(answer, 400), self.exception(answer))
        if answer == "malformed":
            return self._send(handler, 200, raw=b'{"Report_Header": {"Release": "5", "Report_ID": ')
        if answer == "http500":
            return self._send(handler, 500, raw=b"<html>Internal Server Error</html>")
        payload = self.report(report_id, params)
        if answer == "bad_counts":
            payload = json.loads(json.dumps(payload).replace('"Count": ', '"Count": -'))
            if self.release == "5.1":
                item = payload["Report_Items"][0]["Attribute_Performance"][0]["Performance"]
                for months in item.values():
                    for key in months:
                        months[key] = -1
        return self._send(handler, 200, payload)

    def report(self, report_id: str, params: dict, *, items: bool = True, exceptions=()) -> dict:
        begin, end = params.get("begin_date", ""), params.get("end_date", "")
        month = begin[:7]
        count = month_count(report_id, month, self.seed)
        attributes = params.get("attributes_to_show", "")
        header = {"Created": "2026-12-01T10:00:00Z", "Created_By": "Stub", "Customer_ID": params.get("customer_id"),
                  "Report_ID": report_id, "Release": self.release, "Report_Name": report_id,
                  "Institution_Name": "Humppilan kunnankirjasto", "Exceptions": list(exceptions)}
        if self.release == "5":
            header["Report_Filters"] = [{"Name": "Begin_Date", "Value": begin}, {"Name": "End_Date", "Value": end}]
            header["Report_Attributes"] = [{"Name": "Attributes_To_Show", "Value": attributes}] if attributes else []
            item = {"Platform": "StubPlatform", "Data_Type": "Book", "Access_Method": "Regular",
                    "Performance": [{"Period": {"Begin_Date": begin, "End_Date": end},
                                     "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": count},
                                                  {"Metric_Type": "Unique_Title_Requests", "Count": count // 2}]}]}
            if report_id.startswith("TR"):
                item.update({"Title": "Kalevala", "Item_ID": [{"Type": "ISBN", "Value": "978-951-0-00000-1"}],
                             "YOP": "2020", "Access_Type": "Controlled"})
            if report_id.startswith("DR"):
                item["Database"] = "StubBase"
        else:
            header["Report_Filters"] = {"Begin_Date": begin, "End_Date": end}
            header["Report_Attributes"] = {"Attributes_To_Show": attributes.split("|")} if attributes else {}
            header["Registry_Record"] = "https://registry.countermetrics.org/platform/stub"
            item = {"Platform": "StubPlatform",
                    "Attribute_Performance": [{"Data_Type": "Book", "Access_Method": "Regular",
                                               "Performance": {"Total_Item_Requests": {month: count},
                                                               "Unique_Title_Requests": {month: count // 2}}}]}
            if report_id.startswith("TR"):
                item.update({"Title": "Kalevala", "Item_ID": {"ISBN": "978-951-0-00000-1"}})
            if report_id.startswith("DR"):
                item["Database"] = "StubBase"
        return {"Report_Header": header, "Report_Items": [item] if items else []}


def month_of(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)
