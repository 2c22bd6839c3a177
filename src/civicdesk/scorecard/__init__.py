"""The public scorecard: each agency's and service's volume, response and resolution times, targets and satisfaction."""
