"""Default data shipped with the platform (editable after seeding): the responsibility list (责任清单)."""
