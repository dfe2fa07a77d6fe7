"""Which addresses a request may connect to: no internal networks unless the operator says so.

A site (or a page it links to, or a redirect) must not make zxfeed read what only this
machine can reach: loopback, private, link-local (cloud metadata), multicast, reserved.
Addresses are checked after DNS resolution, on every connection, so every redirect hop
and every article link passes here. A source whose own URL is internal may reach its
own host and port; ``[fetch] allow_private`` allows everything, a source's
``private_networks`` the networks it names.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..config.settings import Config, SourceConfig

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(OSError):
    """A connection to an internal address that this request may not reach."""


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def is_internal(address: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified (embedded IPv4 too)."""
    return any(not a.is_global or a.is_multicast for a in {address, _embedded(address)})


@dataclass(frozen=True, slots=True)
class Reach:
    """The internal addresses one source's requests may connect to."""

    allow_all: bool = False
    origin: tuple[str, int] | None = None  # the source's own host and port
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def own(cls, url: str, *, allow_all: bool = False,
            networks: tuple[IPNetwork, ...] = ()) -> Reach:
        """The reach of a source at ``url``: its own host and port, whatever they resolve to."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            origin = ((parts.hostname or "").lower().rstrip("."), port)
        except ValueError:
            origin = None
        return cls(allow_all=allow_all, origin=origin, networks=networks)

    def permits(self, host: str, port: int, address: IPAddress) -> bool:
        """Whether a connection to ``address`` (resolved from ``host``) is allowed."""
        if self.allow_all or not is_internal(address):
            return True
        if self.origin is not None and self.origin == (host.lower().rstrip("."), port):
            return True
        plain = _embedded(address)
        return any(a in n for n in self.networks for a in {address, plain} if a.version == n.version)


# One getaddrinfo answer: family, type, proto, canonname, sockaddr (host first, then port …).
AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]


def resolve(host: str, port: int) -> list[AddrInfo]:
    """``getaddrinfo`` for a TCP connection (raises ``socket.gaierror``)."""
    return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))


def check(reach: Reach, host: str, port: int, infos: list[AddrInfo]) -> list[AddrInfo]:
    """The resolved addresses ``reach`` permits; :class:`BlockedAddress` when there are none."""
    allowed = [info for info in infos
               if reach.permits(host, port, ipaddress.ip_address(info[4][0].split("%", 1)[0]))]
    if not allowed:
        shown = ", ".join(sorted({info[4][0] for info in infos}))[:200]
        raise BlockedAddress(
            f"{host} resolves to an internal address ({shown}); refused — allow it with "
            "[fetch] allow_private = true or the source's private_networks")
    return allowed


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``["10.1.0.0/16", "192.168.1.20"]`` as networks (ValueError names the bad one)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


@lru_cache(maxsize=4096)
def _reach(url: str, allow_all: bool, networks: tuple[str, ...]) -> Reach:
    return Reach.own(url, allow_all=allow_all, networks=parse_networks(networks))


def reach_for(src: SourceConfig, cfg: Config) -> Reach:
    """What ``src``'s requests (list page, redirects, articles) may connect to."""
    return _reach(src.url, cfg.fetch.allow_private, tuple(src.private_networks))
