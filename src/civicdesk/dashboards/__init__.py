"""Dashboards in the desk: the live queue and agents' loads for supervisors, and trends for managers."""
