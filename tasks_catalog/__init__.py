"""The policy catalog: extraction of tasks, units and targets, the schema, the unit directory."""
