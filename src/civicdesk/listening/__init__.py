"""Social listening: public posts matched by stream rules, triaged, counted per minute, and surges raised as alerts."""
