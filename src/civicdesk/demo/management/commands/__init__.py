"""The seed-demo and remove-demo-staff commands."""
