"""The yardstick of bench/startup.py: the smallest useful Textual app."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class MinimalApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("minimal benchmark app")
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
