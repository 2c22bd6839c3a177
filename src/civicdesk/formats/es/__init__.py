"""Spanish as written in the United States."""
