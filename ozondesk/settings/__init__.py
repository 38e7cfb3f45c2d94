"""Settings: the typed option registry, this desk's INI file, the team's rows, upgrades."""
