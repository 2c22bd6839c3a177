"""Text search for the resident's search box: services now, knowledge-base articles later."""
