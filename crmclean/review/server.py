"""Serving the review page on 127.0.0.1 at a free port, with a fresh token per start."""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass

import uvicorn

from crmclean.review.app import create_app
from crmclean.review.clusters import ClusterView
from crmclean.review.session import Session

HOST = "127.0.0.1"


@dataclass
class ReviewServer:
    """A uvicorn server bound to a socket of its own; ``url`` carries the token."""

    server: uvicorn.Server
    sock: socket.socket
    url: str
    session: Session

    def run(self) -> None:
        """Serve until Ctrl-C (or ``stop()``); the socket is closed after. uvicorn shuts down
        gracefully, then raises the Ctrl-C again: that is the normal way out here. The
        socket and the session's re-learning worker are closed after."""
        try:
            self.server.run(sockets=[self.sock])
        except KeyboardInterrupt:
            pass
        finally:
            self.sock.close()
            self.session.close()

    def stop(self) -> None:
        self.server.should_exit = True


def review_server(session: Session, clusters: ClusterView, port: int = 0) -> ReviewServer:
    """A server for ``session`` on ``127.0.0.1:port`` (0: any free port), not started yet."""
    token = secrets.token_urlsafe(24)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    app = create_app(session, clusters, token)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    url = f"http://{HOST}:{sock.getsockname()[1]}/?token={token}"
    return ReviewServer(uvicorn.Server(config), sock, url, session)
