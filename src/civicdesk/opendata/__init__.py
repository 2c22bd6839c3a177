"""Open data: a daily export of service requests without personal data, in CSV and GeoJSON, with its schema."""
