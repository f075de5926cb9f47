"""Per-page translation catalogs; see :mod:`emviz.ui.i18n`."""
