"""投诉建议: complaints and suggestions with the specification's clocks."""
