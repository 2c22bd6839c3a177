"""Live chat on the portal: sessions, their messages on a case's timeline, the queue, and the live transport."""
