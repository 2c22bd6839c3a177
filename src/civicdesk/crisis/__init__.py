"""Crisis mode: incidents, official updates, alert subscriptions and broadcasts."""
