"""Running CivicDesk: the web server, workers, the mail listener and the periodic scheduler."""
