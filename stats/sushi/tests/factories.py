from stats.sushi import services
from stats.sushi.models import SushiAccount

from .stub import CREDENTIALS


def make_account(stub, *, library=None, reports=("TR", "PR"), by=None, credentials=None, **data) -> SushiAccount:
    """An account on the stub, saved through the service (so its credentials are encrypted)."""
    fields = {"service_name": data.pop("service_name", "Ellibs"), "library": library, "platform": "",
              "url": stub.url, "release": stub.release, "reports": list(reports), "active": True, **data}
    return services.account_save(data=fields, secrets=dict(credentials or CREDENTIALS), by=by)
