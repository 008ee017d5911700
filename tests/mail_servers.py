"""Local fake mail servers: one that takes messages (counting them), one that accepts and never answers."""
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_string, policy


class SMTPSink(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to deliver messages to the server's inbox, `pause` seconds each;
    a recipient in the server's `refused` set is refused (550); at one in its `dropped` set the server
    hangs up (a relay that restarts, a connection cut)."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ready")
        while line := self.rfile.readline().decode().strip():
            verb = line.split(" ")[0].upper()
            if verb == "DATA":
                self.reply("354 go ahead")
                body = []
                while (chunk := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(chunk)
                time.sleep(self.server.pause)
                with self.server.lock:
                    self.server.inbox.append(message_from_string("".join(body), policy=policy.default))
                self.reply("250 queued")
            elif verb == "RCPT" and any(address in line for address in self.server.dropped):
                return
            elif verb == "RCPT" and any(address in line for address in self.server.refused):
                self.reply("550 no such mailbox")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@contextmanager
def smtp_sink(pause: float = 0.0) -> Iterator[socketserver.ThreadingTCPServer]:
    """A mail server on a free local port; `.inbox` holds what it received, `.server_address[1]` is the port."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPSink)
    server.daemon_threads = True
    server.inbox, server.lock, server.pause, server.refused, server.dropped = [], threading.Lock(), pause, set(), set()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def hanging_smtp_server() -> Iterator[int]:
    """A server that takes connections and never says a word (a stalled mail relay); yields its port.

    It never calls accept(): the kernel completes each connection in the listen backlog, and the
    client then waits for a greeting that never comes.
    """
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listener:
        yield listener.getsockname()[1]
