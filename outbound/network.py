"""Where a webhook may go: public addresses only, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS (a laptop, the tests).

A tenant chooses the URL and reads the status code and latency back from the delivery log, so a URL pointing
at the cloud metadata service (169.254.169.254), localhost or an internal host would let it probe our network
(SSRF). The host is checked when a subscription is saved (`validate_public_url`) and again at delivery time,
on the address actually connected to (`open_public`), because a name can resolve elsewhere later.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class BlockedAddress(OSError):
    """The host is (or resolves to) an address webhooks may not reach."""


def private_networks_allowed() -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


def refused_addresses(host: str, port: int | None = None) -> list[str]:
    """The addresses `host` is or resolves to that webhooks may not reach ([] if it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})


def validate_public_url(url: str) -> None:
    """Model validator of a subscription's URL: http(s), and not to a private/internal address.

    A name that does not resolve now is accepted (its DNS may not exist yet); delivery checks it again."""
    parts = urlsplit(url or "")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Use an http(s) URL.", code="scheme")
    if private_networks_allowed():
        return
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("The URL's port is not a number from 0 to 65535.", code="port") from None
    if refused := refused_addresses(parts.hostname, port):
        raise ValidationError(
            f"{parts.hostname} is or resolves to a private, loopback, link-local or otherwise internal address "
            f"({', '.join(refused)}); webhooks go to public addresses only.", code="private_address")


def _check_peer(sock: socket.socket, host: str) -> None:
    if private_networks_allowed():
        return
    address = sock.getpeername()[0]
    if not is_public_address(address):
        sock.close()
        raise BlockedAddress(f"{host} resolved to {address}, a private or internal address: not sent "
                             f"(webhooks go to public addresses only)")


class _PublicHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock, self.host)


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        # The peer is checked on the plain TCP connection, before the TLS handshake and before any byte of the
        # request: http.client's HTTPSConnection.connect() opens it through HTTPConnection.connect().
        http.client.HTTPConnection.connect(self)
        _check_peer(self.sock, self.host)
        server_hostname = self._tunnel_host or self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failed attempt (an HTTPError), never followed: a redirect could lead anywhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxy handler: a proxy from the environment would be the peer, and the check would see only it.
_OPENER = urllib.request.OpenerDirector()
for _handler in (_PublicHTTPHandler(), _PublicHTTPSHandler(), _NoRedirects(), urllib.request.HTTPDefaultErrorHandler(),
                 urllib.request.HTTPErrorProcessor(), urllib.request.UnknownHandler()):
    _OPENER.add_handler(_handler)


def open_public(request: urllib.request.Request, *, timeout: float):
    """urlopen, refusing (BlockedAddress) to send to a private/internal address unless they are allowed."""
    try:
        return _OPENER.open(request, timeout=timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, BlockedAddress):
            raise exc.reason from None  # urllib wraps what connect() raises
        raise

