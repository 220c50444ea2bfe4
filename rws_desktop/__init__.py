"""RWS Photo Check: vets school photos against the consent register before they are published."""
__version__ = "0.1.0"
