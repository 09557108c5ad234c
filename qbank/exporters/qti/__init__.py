"""QTI packages: the item, test and package builders shared by the QTI 2.1, QTI 3.0 and Canvas exporters."""
