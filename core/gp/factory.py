"""open_gateway: settings + password -> a ready GPGateway (SOAP and/or SBA behind one router)."""
from __future__ import annotations

import logging
from pathlib import Path

from core.clock import Clock, SystemClock
from core.config import Settings
from core.errors import ConfigError
from core.gp.auth import make_client
from core.gp.http import GPHttp
from core.gp.router import RoutedGateway
from core.gp.wsdl_cache import cache_for

log = logging.getLogger(__name__)


def open_gateway(settings: Settings, password: str, workspace_dir: Path | None, *,
                 clock: Clock | None = None, refresh_wsdl: bool = False,
                 wsdl: str | None = None) -> RoutedGateway:
    """Open the GP gateway the configuration describes.

    The WSDL is read from `[gp] wsdl` / `wsdl` when given, else from the workspace cache, else
    fetched from the server (and cached). Raises ConfigError for settings that cannot work
    (plain http:// without allow_http, missing CA bundle, no URL at all) and GPError /
    GPAuthError when GP cannot be reached or refuses the account while loading the WSDL.
    """
    gp = settings.gp
    soap_url, sba_url = gp.soap_url.strip(), gp.sba_url.strip()
    if not soap_url and not sba_url:
        raise ConfigError("[gp] soap_url is empty: set it to "
                          "https://<server>:48620/DynamicsGPWebServices/DynamicsGPService.asmx")
    client = make_client(gp, password, urls=[u for u in (soap_url, sba_url) if u])
    http = GPHttp(client, gp.user)
    clock = clock or SystemClock()
    try:
        routes: dict[str, object] = {}
        if soap_url:
            from core.gp.soap import SoapClient
            from core.gp.soap_gateway import SoapGateway

            soap = SoapClient(http, soap_url=soap_url, company=gp.company,
                              cache=cache_for(workspace_dir), wsdl_override=wsdl or gp.wsdl,
                              refresh_wsdl=refresh_wsdl, role=gp.role.strip())
            posting = settings.posting
            routes["soap"] = SoapGateway(soap, clock=clock,
                                         adjustment_uofm=posting.unit_of_measure,
                                         invoice_doc_id=posting.invoice_doc_type.strip(),
                                         return_doc_id=posting.return_doc_type.strip(),
                                         hold_id=posting.hold_id.strip(),
                                         collation=gp.key_collation,
                                         adjustment_batch_template=(
                                             settings.products.adjustment_batch_template))
        if sba_url:
            from core.gp.sba import SbaGateway

            routes["sba"] = SbaGateway(http, sba_url, clock=clock)
        return RoutedGateway(routes, gp.routes, closer=client.close)
    except BaseException:
        client.close()
        raise
