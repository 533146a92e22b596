"""Everything staff edit without code: texts, areas, services, working time."""
