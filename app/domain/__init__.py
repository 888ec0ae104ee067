"""Pure Python core: enums, value objects, scoring math and identity-graph algorithms."""
