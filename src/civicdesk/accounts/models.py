"""Staff sign-in keeps no models of its own: attempts are django-axes', authenticators django-otp's."""
