"""Live chat on the staff side: agents' availability, the chat queue, accepting, answering and ending chats."""
