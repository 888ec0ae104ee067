"""Qt item models over plain rows returned by services."""
