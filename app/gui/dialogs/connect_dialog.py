"""File ▸ Connect to server…: open a workspace held on the firm's PostgreSQL server.

The dialog asks for the server's host, port, database and user, and for a password used for
this connection only: it is handed to the connection as an argument, never written into the
server's address, the preferences, the log, the status bar, the window title or the journal.
The connection is opened on a worker (a server can take seconds to answer); a refusal is
shown in the dialog in one sentence, and the user can correct the fields and try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui import tasks, theme
from app.gui.context import failure_reason
from app.services.workspace import Workspace, default_actor, open_workspace
from app.support.preferences import load_preferences, remember_server, save_preferences

logger = logging.getLogger(__name__)

DEFAULT_PORT = 5432
SCHEME = "postgresql"
_NOT_IN_HOST = set(" /@?#\\\t")

#: Opens the workspace at a server address with a password (or None); runs on a worker.
Opener = Callable[[str, str | None], Workspace]


@dataclass(frozen=True)
class ServerAddress:
    """Where a server workspace is: host, port, database and login (never a password)."""

    host: str
    port: int
    database: str
    user: str

    @property
    def url(self) -> str:
        """Return the address as ``postgresql://user@host:port/database``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        user, database = quote(self.user, safe=""), quote(self.database, safe="")
        return f"{SCHEME}://{user}@{host}:{self.port}/{database}"

    @property
    def label(self) -> str:
        """Return the short name the window shows: ``user@host/database`` (port if not usual)."""
        port = "" if self.port == DEFAULT_PORT else f":{self.port}"
        return f"{self.user}@{self.host}{port}/{self.database}"

    def problem(self) -> str | None:
        """Return what is missing or wrong, in a sentence; None when the address is usable."""
        if not self.host:
            return "Enter the server's host name or address."
        if _NOT_IN_HOST & set(self.host):
            return "The host is a name or an address only (no spaces, '/', '@', '?' or '#')."
        if not self.database:
            return "Enter the name of the database that holds the workspace."
        if set("/?#") & set(self.database):
            return "The database name cannot hold '/', '?' or '#'."
        if not self.user or any(c.isspace() for c in self.user):
            return "Enter your login on the server (no spaces)."
        return None

    @classmethod
    def parse(cls, url: str) -> ServerAddress | None:
        """Read a ``postgresql://`` address; None when ``url`` is not one (a file path)."""
        parts = urlsplit(url)
        if parts.scheme not in (SCHEME, "postgres") or not parts.hostname:
            return None
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            return None
        return cls(
            host=parts.hostname,
            port=port,
            database=unquote(parts.path.lstrip("/")),
            user=unquote(parts.username or ""),
        )


def open_server(url: str, password: str | None, *, actor: str | None = None) -> Workspace:
    """Open the existing workspace on the server at ``url`` (on a worker thread).

    Args:
        url: The server's address, without a password.
        password: The password for this connection only, or None (a ``.pgpass`` file or the
            server's trust of this computer may let the login in without one).
        actor: Who works in the window (the server records its own login as the actor).

    Returns:
        The open server workspace.
    """
    return open_workspace(_with_password(url, password), create=False, actor=actor)


def _with_password(url: str, password: str | None) -> str:
    """Return ``url`` carrying ``password`` for the connection (kept in memory, shown nowhere).

    The storage layer keeps this address for its connections only; what it shows and writes
    anywhere is the address without the password.
    """
    if not password:
        return url
    scheme, _, rest = url.partition("://")
    user, _, host = rest.partition("@")
    return f"{scheme}://{user}:{quote(password, safe='')}@{host}"


def where(workspace: Workspace) -> str:
    """Return where ``workspace`` is, as the window shows it: a file path or ``user@host/db``."""
    address = ServerAddress.parse(workspace.location) if workspace.is_server else None
    return address.label if address is not None else workspace.location


class ConnectDialog(QDialog):
    """Asks where the server is and who logs in; opens the workspace there on a worker.

    Args:
        opener: Opens the workspace (called on a worker with the address and the password).
        address: Fields to start from (a recent server), or None for an empty form.
        parent: The window.

    Attributes:
        workspace: The opened workspace once the dialog was accepted.
    """

    def __init__(
        self, opener: Opener, address: ServerAddress | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a team server")
        self.setMinimumWidth(460)
        self.workspace: Workspace | None = None
        self._opener = opener
        self._connecting: tasks.Task | None = None
        self._abandoned = False
        self.host = self._line("Host", "e.g. assay-db.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName("Port")
        self.database = self._line("Database", "e.g. acme_2026")
        self.user = self._line("User", "your login on the server")
        self.user.setText(default_actor())
        self.password = self._line("Password", "used for this connection only, never stored")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember this server in Open Recent (never the password)")
        self.remember.setChecked(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Connection message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText("Connect")
        self.buttons.accepted.connect(self.start_connecting)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        if address is not None:
            self.fill(address)
        for edit in (self.host, self.database, self.user):
            edit.textChanged.connect(self._validate)
        self._validate()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _lay_out(self) -> None:
        form = QFormLayout()
        for label, widget in (
            ("&Host", self.host),
            ("&Port", self.port),
            ("&Database", self.database),
            ("&User", self.user),
            ("Pass&word", self.password),
        ):
            form.addRow(label, widget)
        intro = QLabel(
            "Open a workspace your firm keeps on its PostgreSQL server. Everyone connected "
            "sees each other's changes within seconds."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def fill(self, address: ServerAddress) -> None:
        """Put a known server's address in the fields; the cursor waits in the password."""
        self.host.setText(address.host)
        self.port.setValue(address.port)
        self.database.setText(address.database)
        self.user.setText(address.user)
        self.password.setFocus()

    def address(self) -> ServerAddress:
        """Return the address the fields describe (surrounding spaces dropped)."""
        return ServerAddress(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip(),
        )

    def _validate(self) -> str | None:
        problem = self.address().problem()
        self.connect_button.setEnabled(problem is None and self._connecting is None)
        self._say(problem or "", theme.UNKNOWN_COLOUR)
        return problem

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")

    def start_connecting(self) -> None:
        """Open the workspace on a worker; the dialog closes when it is open."""
        if self._validate() is not None or self._connecting is not None:
            return
        address = self.address()
        password = self.password.text() or None
        self._set_busy(True)
        self._say(f"Connecting to {address.label}…", theme.UNKNOWN_COLOUR)
        self._connecting = tasks.run_task(
            self._opener, address.url, password, with_progress=False,
            on_success=self._connected, on_failure=self._refused,
        )  # fmt: skip

    @property
    def connecting(self) -> bool:
        """Return True while the workspace is being opened."""
        return self._connecting is not None

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.host, self.port, self.database, self.user, self.password):
            widget.setEnabled(not busy)
        self.connect_button.setEnabled(not busy)

    def _connected(self, workspace: Workspace) -> None:
        self._connecting = None
        self.password.clear()
        if self._abandoned:
            workspace.close()  # cancelled while connecting: nobody wants it any more
            return
        self.workspace = workspace
        if self.remember.isChecked():
            save_preferences(remember_server(load_preferences(), self.address().url))
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._connecting = None
        self._set_busy(False)
        self._say(_sentence(failure_reason(exc)), theme.BAD)
        self.password.setFocus()

    def reject(self) -> None:
        self._abandoned = self._connecting is not None
        self.password.clear()
        super().reject()


def _sentence(reason: str) -> str:
    text = reason.strip() or "the server refused the connection"
    if "://" not in text.split(" ", 1)[0]:  # an address keeps its lower-case scheme
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
