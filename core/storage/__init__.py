"""Storage: the database, hot-path statements, migrations and the tables of the foundation."""
