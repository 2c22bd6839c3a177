"""Number and date formats per language where Django's own do not fit a US city (see settings.FORMAT_MODULE_PATH)."""
