#!/usr/bin/python3
"""The echo service of netvsc-peer's namespace, on one port over IPv4 and
IPv6: a TCP connection gets back what it sends until it closes its side,
and a UDP datagram comes back to its sender as it came."""
import socket
import sys
import threading


def serve(conn):
    with conn:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)


def dual_stack(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


def udp(port):
    s = dual_stack(socket.SOCK_DGRAM, port)
    while True:
        data, peer = s.recvfrom(1 << 16)
        s.sendto(data, peer)


def main():
    port = int(sys.argv[1])
    threading.Thread(target=udp, args=(port,), daemon=True).start()
    s = dual_stack(socket.SOCK_STREAM, port)
    s.listen(16)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
