"""No request leaves the process: any non-loopback DNS lookup or connection fails here.

Loaded by the interpreter at start-up (this folder is first on ``PYTHONPATH``); every refused
address is appended to the file named by ``LIGHTLY_TEST_NET_LOG``.
"""

import ipaddress
import os
import socket

_LOG = os.environ.get("LIGHTLY_TEST_NET_LOG", "")
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _local(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what):
    if _LOG:
        with open(_LOG, "a") as log:
            log.write(what + "\n")
    raise OSError(f"network guard: {what} refused (only loopback is allowed in these tests)")


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _refuse(f"lookup {host}")
    return _getaddrinfo(host, *args, **kwargs)


def _check(address):
    if isinstance(address, tuple) and not _local(address[0]):
        _refuse(f"connect {address[0]}")


def connect(self, address):
    _check(address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
