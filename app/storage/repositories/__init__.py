"""Repositories: the SQL of each aggregate, used by services through a unit of work.

One module per aggregate; each holds a class that takes the unit's session. Services never
import SQLAlchemy or SQLModel (an import-linter contract keeps it so); they call these.
"""
