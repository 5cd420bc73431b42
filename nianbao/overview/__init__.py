"""What a run shows people: the summary it prints and the report it writes beside the warehouse,
both read from the published warehouse."""
