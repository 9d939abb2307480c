"""spendgate: procurement policy-as-code."""

__version__ = "0.1.0"

#: Where users read about spendgate (SARIF's informationUri, generated READMEs).
HOMEPAGE = "https://github.com/spendgate/spendgate"
