"""Staff sign-in security: lockout, passwords, idle sessions and two-factor codes."""
