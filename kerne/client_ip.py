"""The client's address behind trusted proxies: one function for every limit keyed on it.

Behind nginx or a load balancer, REMOTE_ADDR is the proxy's address; the client's is in
``X-Forwarded-For``, which every proxy extends with the address it received the request
from. Anyone can send that header, so it is read only as far as the setting
``KERNE_TRUSTED_PROXIES`` (README, "Running in production") says the hops can be trusted:

- empty (the default): no proxy is trusted, the header is ignored, REMOTE_ADDR is the client;
- a count, ``"1"``: that many proxies stand in front of Kerne and Kerne cannot be reached
  past them; the client is the address the outermost of them added;
- networks, ``"10.0.0.0/8,127.0.0.1"``: a hop is trusted when its address is in one of them;
  the header is read from the right, starting from REMOTE_ADDR, up to the first address
  that is not a trusted proxy: that is the client.

Used by the open-survey rate limit (kerne/surveys/submission.py) and the login lock-out
(django-axes, ``AXES_CLIENT_IP_CALLABLE``). The address is never stored by Kerne itself:
the rate limit keeps only a keyed hash for one window; axes records failed logins.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
# A longer chain than this is not read further: no deployment has more proxies, and a
# forged header of thousands of entries costs nothing to parse.
MAX_HOPS = 20


@dataclass(frozen=True)
class TrustedProxies:
    count: int = 0
    networks: tuple[Network, ...] = ()

    def trusts(self, hop: int, address: Address | None) -> bool:
        """Whether the `hop`-th address from Kerne (0: REMOTE_ADDR) is a trusted proxy."""
        if self.count:
            return hop < self.count
        return address is not None and any(address in network for network in self.networks)


@functools.lru_cache(maxsize=8)
def parse_trusted_proxies(value: str) -> TrustedProxies:
    """``""``, a count (``"2"``) or comma-separated addresses and networks; ValueError otherwise."""
    text = value.strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        return TrustedProxies(count=int(text))
    networks: list[Network] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ValueError(
                f"KERNE_TRUSTED_PROXIES: {part!r} is neither a number of proxies nor an address or "
                "network (e.g. 1, or 10.0.0.0/8,127.0.0.1)"
            ) from error
    return TrustedProxies(networks=tuple(networks))


def parse_address(text: str) -> Address | None:
    """An address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``),
    IPv4-mapped IPv6 read as IPv4; None if it is not an address."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or from X-Forwarded-For through trusted proxies only."""
    remote_text = str(request.META.get("REMOTE_ADDR") or "")
    remote = parse_address(remote_text)
    trusted = parse_trusted_proxies(getattr(settings, "KERNE_TRUSTED_PROXIES", ""))
    # An empty REMOTE_ADDR (gunicorn on a Unix socket) is a proxy only when counted.
    if not trusted.trusts(0, remote):
        return str(remote) if remote is not None else remote_text
    header = str(request.META.get(FORWARDED_FOR) or "")
    hops = header.rsplit(",", MAX_HOPS)[::-1] if header.strip() else []
    client = str(remote) if remote is not None else remote_text
    for number, text in enumerate(hops, start=1):
        address = parse_address(text)
        if address is None:  # not written by a proxy: stop at the last trusted hop
            return client
        client = str(address)
        if not trusted.trusts(number, address):
            return client
    return client


def rate_limit_subject(address: str) -> str:
    """What a per-client limit counts: the address, or for IPv6 its /64 network (one household
    or device holds a whole /64 and can pick any address in it)."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address
