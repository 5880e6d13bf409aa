"""English as the catalogue writes it: day, month, year."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i e"
