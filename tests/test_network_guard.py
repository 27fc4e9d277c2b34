"""The conftest guard keeps tests on loopback: a connection elsewhere is refused before it leaves."""

import socket

import pytest


def test_connection_to_a_public_address_is_refused_by_the_guard():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(ConnectionRefusedError, match="tests stay on 127.0.0.1"):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed, never actually tried


def test_connection_to_loopback_goes_through_the_guard():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2) as client:
            assert client.getpeername() == server.getsockname()
