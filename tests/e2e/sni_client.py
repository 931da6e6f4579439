"""What a StatusNotifier host sees of an app: its item, tooltip and dbusmenu, over D-Bus.

The e2e tests drive DeskGuard's tray the way a panel does (KDE Plasma, GNOME's
AppIndicator extension, xfce4-panel, waybar), with jeepney on the rig's session bus:

* ``org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems``: the items, each
  "SERVICE/PATH" (Qt registers ":1.N/StatusNotifierItem") or a bare service name;
* ``org.kde.StatusNotifierItem``: ``Activate(i x, i y)`` (a left click at x, y),
  ``ToolTip`` (s icon, a(iiay) pixmaps, s title, s text), ``Menu`` (the dbusmenu path);
* ``com.canonical.dbusmenu``: ``AboutToShow(i id)``, ``GetLayout(i parent, i depth,
  as props) -> (u revision, (i id, a{sv} props, av children))`` and ``Event(i id,
  s "clicked", v data, u time)``, which is how a host clicks an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPERTIES = "org.freedesktop.DBus.Properties"
TIMEOUT = 5.0


@dataclass
class Entry:
    """One dbusmenu entry: its label without mnemonics, and what the host is told."""

    id: int
    label: str
    enabled: bool
    visible: bool
    kind: str  # "standard" or "separator"
    children: list[Entry] = field(default_factory=list)

    def find(self, label: str) -> Entry | None:
        for child in self.children:
            if child.label == label:
                return child
            found = child.find(label)
            if found is not None:
                return found
        return None

    def labels(self) -> list[str]:
        """The visible entries' labels, in order (separators left out)."""
        return [c.label for c in self.children if c.visible and c.kind != "separator"]


def _plain(value: Any) -> Any:
    while isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        value = value[1]
    return value


def _entry(node: Any) -> Entry:
    entry_id, props, children = node
    values = {k: _plain(v) for k, v in props.items()}
    return Entry(
        id=int(entry_id),
        # Qt writes a mnemonic's "&" as "_" (dbusmenu's convention); hosts hide it.
        label=str(values.get("label", "")).replace("_", ""),
        enabled=bool(values.get("enabled", True)),
        visible=bool(values.get("visible", True)),
        kind=str(values.get("type", "standard")),
        children=[_entry(_plain(child)) for child in children],
    )


class SniClient:
    def __init__(self, bus_address: str) -> None:
        self.conn: DBusConnection = open_dbus_connection(bus=bus_address)

    def close(self) -> None:
        self.conn.close()

    def _call(
        self,
        service: str,
        path: str,
        interface: str,
        member: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
    ) -> Any:
        address = DBusAddress(path, bus_name=service, interface=interface)
        reply = self.conn.send_and_get_reply(
            new_method_call(address, member, signature, body), timeout=TIMEOUT
        )
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"{service} {path} {interface}.{member}: {reply.body}")
        return reply.body

    def _get(self, service: str, path: str, interface: str, name: str) -> Any:
        return _plain(self._call(service, path, PROPERTIES, "Get", "ss", (interface, name))[0])

    def watcher_owned(self) -> bool:
        body = self._call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            (WATCHER,),
        )
        return bool(body[0])

    def host_registered(self) -> bool:
        if not self.watcher_owned():
            return False
        return bool(self._get(WATCHER, WATCHER_PATH, WATCHER, "IsStatusNotifierHostRegistered"))

    def items(self) -> list[str]:
        if not self.watcher_owned():
            return []
        return [
            str(i)
            for i in self._get(WATCHER, WATCHER_PATH, WATCHER, "RegisteredStatusNotifierItems")
        ]

    @staticmethod
    def split(item: str) -> tuple[str, str]:
        service, slash, path = item.partition("/")
        return service, f"/{path}" if slash else "/StatusNotifierItem"

    def item_property(self, item: str, name: str) -> Any:
        service, path = self.split(item)
        return self._get(service, path, ITEM, name)

    def tooltip(self, item: str) -> tuple[str, str]:
        """(title, text) of the item's ToolTip."""
        _icon, _pixmaps, title, text = self.item_property(item, "ToolTip")
        return str(title), str(text)

    def activate(self, item: str, x: int, y: int) -> None:
        service, path = self.split(item)
        self._call(service, path, ITEM, "Activate", "ii", (x, y))

    def menu(self, item: str) -> Entry:
        """The whole menu, after AboutToShow as a host sends it before showing it."""
        service, _path = self.split(item)
        menu_path = str(self.item_property(item, "Menu"))
        self._call(service, menu_path, MENU, "AboutToShow", "i", (0,))
        _revision, layout = self._call(service, menu_path, MENU, "GetLayout", "iias", (0, -1, []))
        return _entry(layout)

    def click(self, item: str, entry: Entry) -> None:
        service, _path = self.split(item)
        menu_path = str(self.item_property(item, "Menu"))
        self._call(service, menu_path, MENU, "Event", "isvu", (entry.id, "clicked", ("s", ""), 0))
